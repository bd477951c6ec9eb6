"""Every page of the built book, opened from disk in Chromium with the network cut off.

Each test reads the one visit of its page (see ``conftest.visit``), so a failure names the page and
the single property that broke.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

import pytest
from bookcheck import EN_PAGES, HTML_DIR, MAX_PAGE_BYTES, PAGES, ROOT, ZH, page_file, visit

FILE_NAME = re.compile(r"^[\w\-./ ]*\.(png|jpe?g|gif|svg|webp)$", re.IGNORECASE)


def test_page_exists_and_loads(report):
    assert Path(HTML_DIR, report.name + ".html").is_file()
    assert report.final_url.startswith("file://"), report.final_url
    assert not report.page_errors, report.page_errors


def test_nothing_is_fetched_from_the_network(report):
    assert report.blocked == [], f"{report.name} tried to load {report.blocked}"


def test_no_console_errors(report):
    assert report.console_errors == [], report.console_errors


def test_every_local_file_the_page_asks_for_exists(report):
    assert report.failed == [], f"{report.name}: {report.failed}"


def test_has_a_title(report):
    assert report.title.strip(), f"{report.name} has an empty <title>"
    assert report.title.strip() != "<no title>"


def test_no_top_bar_above_the_page(report):
    """sphinx-book-theme's layout has no top bar; pydata-sphinx-theme 0.17 adds one with a second search
    field unless told not to, and it covered the book's title in the sidebar."""
    assert report.top_bar == {}, f"{report.name}: a top bar takes room above the page: {report.top_bar}"


def test_every_image_loads_and_has_real_alt_text(report):
    bad = []
    for img in report.images:
        alt = (img["alt"] or "").strip()
        name = PurePosixPath(img["src"].split("?")[0]).name
        if not (img["complete"] and img["width"] > 0):
            bad.append(f"not loaded: {img['src']}")
        if not alt or FILE_NAME.match(alt) or alt == name or "_images/" in alt:
            bad.append(f"no alt text (alt={alt!r}): {img['src']}")
    assert not bad, f"{report.name}: " + "; ".join(bad)


def test_mathjax_is_local_and_renders_every_formula(report):
    math = report.math
    if math["n"] == 0 and not math["loaded"]:
        return  # a page without a formula (Sphinx then omits MathJax)
    assert math["loaded"], f"{report.name} has {math['n']} formulas but MathJax did not load"
    root = HTML_DIR / "zh_CN" if report.name.startswith(ZH) else HTML_DIR  # each edition has its own copy
    assert math["script"].startswith(root.as_uri() + "/_static/mathjax/"), math["script"]
    assert math["finished"], math.get("error")
    assert math["merrors"] == [], f"{report.name}: MathJax errors {math['merrors']}"
    assert math["unrendered"] == [], f"{report.name}: formulas left as TeX {math['unrendered'][:5]}"
    assert {"R", "pd", "vb", "T"} <= set(math["macros"]), math["macros"]


def test_page_weight_within_budget(report):
    assert report.resources, "no resource was recorded"
    assert report.weight <= MAX_PAGE_BYTES, (
        f"{report.name} weighs {report.weight / 1e6:.2f} MB with what it loads; largest: "
        f"{sorted(report.resources.items(), key=lambda kv: -kv[1])[:3]}"
    )


def test_every_html_slider_changes_the_figure(report):
    for explorer in report.explorers:
        assert explorer["sliders"], f"explorer {explorer['id']} on {report.name} has no slider"
        for s in explorer["sliders"]:
            where = f"{report.name} {explorer['id']} slider {s['label']!r}"
            assert s["value_moved"], f"{where}: the input did not move"
            assert s["src_changed"] and s["is_frame"], f"{where}: the figure did not change"
            assert s["loaded"], f"{where}: the new frame did not load"
            assert s["output_changed"] and s["alt_changed"], f"{where}: the value label or alt text did not follow"
            assert s["shown_before"] and s["right_frame"], f"{where}: the figure is not the frame of the sliders' values"
            assert all(s["right_text"].values()), f"{where}: value label, aria-valuetext or alt text wrong {s['right_text']}"


def stored_explorers(name: str) -> int:
    """How many explorer outputs the chapter's notebook holds (0 for a Markdown page)."""
    path = Path(ROOT, name.removeprefix(ZH) + ".ipynb")  # both editions show the same notebook's outputs
    if not path.is_file():
        return 0
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return sum('class="dlmath-explorer"' in "".join(out.get("data", {}).get("text/html", ""))
               for cell in cells if cell["cell_type"] == "code" for out in cell.get("outputs", []))


def test_every_explorer_of_the_notebooks_is_on_its_page(report):
    """An explorer that the build dropped (or showed as a dead widget) would make the slider test pass
    vacuously: the page must hold one working HTML slider per explorer output of its notebook."""
    assert len(report.explorers) == stored_explorers(report.name), (
        f"{report.name}: {len(report.explorers)} HTML explorer(s) on the page, "
        f"{stored_explorers(report.name)} in the notebook's outputs")


def test_the_book_has_its_explorers():
    """The issue's first users: the input-scaling explorer of TestNet and the learning-rate one of batch."""
    for name in ("book/testnet", "book/batch"):
        assert stored_explorers(name) >= 1, f"{name}.ipynb has no explorer output"


def test_exercise_solutions_are_hidden_until_clicked(report):
    sol = report.solutions
    assert sol["visible_at_first"] == [], f"{report.name}: solutions shown before a click: {sol['visible_at_first']}"
    if sol["count"]:
        assert sol["opens_on_click"], f"{report.name}: clicking a solution's title did not show it"


def test_screenshot_written(report):
    shot = Path(report.screenshot)
    assert shot.is_file() and shot.stat().st_size > 0
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chapter_pages_offer_the_notebook_download(html_dir):
    """Every chapter written as a notebook has a "download .ipynb" button linking the stored notebook."""
    chapters = [n for n in PAGES if Path(ROOT, n + ".ipynb").is_file()]
    assert chapters, "no notebook chapter in the toc"
    missing = []
    for name in chapters:
        html = page_file(name).read_text(encoding="utf-8")
        href = f"../_sources/{name}.ipynb"
        button = re.search(rf'<a href="{re.escape(href)}"[^>]*class="[^"]*btn-download-source-button', html)
        target = Path(html_dir, "_sources", name + ".ipynb")
        if not button or not target.is_file() or json.loads(target.read_text())["nbformat"] != 4:
            missing.append(name)
    assert not missing, f"no working .ipynb download button on {missing}"


def test_search_works_offline(browser, html_dir):
    report = visit(browser, "search")
    assert report.search_hits and report.search_hits > 0, "searching 'gradient' found nothing"


def test_chinese_search_finds_the_chapters_that_teach_backpropagation(browser, html_dir):
    """Searching 反向传播 (backpropagation) in the Chinese edition, offline, lists the chapters that teach it
    (Sphinx segments Chinese words with jieba)."""
    report = visit(browser, ZH + "search")
    titles = " | ".join(report.search_titles)
    found = [c for c in ("chain_rule", "testnet", "batch", "deep", "cnn") if _title(ZH + "book/" + c) in titles]
    assert len(found) >= 4, (found, report.search_titles)


def _title(name: str) -> str:
    """A page's own title, as its <title> gives it before the book's name."""
    html = page_file(name).read_text(encoding="utf-8")
    return re.split(r" (?:&#8212;|—) ", re.search(r"<title>(.*?)</title>", html, re.S).group(1))[0].strip()


@pytest.mark.parametrize("name", [p for p in EN_PAGES if p.startswith("book/")])
def test_every_page_links_to_its_counterpart_in_the_other_edition(html_dir, name):
    """The link at the top of each page of the book goes to the same page in the other edition, and that
    page exists (Sphinx's search and index pages have no body to carry it: the theme's header links home)."""
    for here, there in ((name, ZH + name), (ZH + name, name)):
        html = page_file(here).read_text(encoding="utf-8")
        m = re.search(r'<p class="dlmath-edition"><a href="([^"]+)"', html)
        assert m, f"{here} has no link to the other edition"
        target = (page_file(here).parent / m.group(1)).resolve()
        assert target == page_file(there).resolve(), (here, m.group(1), target)
        assert target.is_file()


def test_index_redirects_to_the_first_chapter(browser, html_dir):
    context = browser.new_context()
    blocked = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                  else (blocked.append(r.request.url), r.abort()))
    page = context.new_page()
    try:
        page.goto((html_dir / "index.html").as_uri())
        page.wait_for_url(re.compile(r".*/book/intro\.html$"), timeout=10_000)
    finally:
        context.close()
    assert not blocked
