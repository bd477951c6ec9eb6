"""The machinery of the browser tests: the built HTML book as a reader meets it, in Debian's
Chromium driven by Playwright, fully offline.

Every request the browser makes is routed: ``file://`` goes through, anything else is aborted and
recorded (and fails the page). Each page is loaded once (:func:`visit`), everything a test asserts
is measured in that one visit (how the page reads, at two window widths: ``pagefacts.py``; its
self-check questions answered: ``quizcheck.py``), and a screenshot lands in ``_build/screenshots/``:
the first screen a reader sees (1280 x 900), or the whole page with ``DLMATH_FULL_SCREENSHOTS=1``
(``make screenshots``; it costs a third of the browser tests' time, as Chromium lays out and paints a
window as tall as the page).

Environment: ``DLMATH_HTML_DIR`` (default ``_build/html``), ``DLMATH_SCREENSHOTS`` (default
``_build/screenshots``), ``CHROMIUM`` (default ``/usr/bin/chromium`` or ``chromium`` on the PATH).
``make browser`` installs Chromium with apt when it is missing; where it truly cannot be installed
these tests are skipped with a loud banner, never silently.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import yaml
from pagefacts import measure
from quizcheck import grade_page

ROOT = Path(__file__).resolve().parents[2]
HTML_DIR = Path(os.environ.get("DLMATH_HTML_DIR", ROOT / "_build" / "html")).resolve()
SHOTS_DIR = Path(os.environ.get("DLMATH_SCREENSHOTS", ROOT / "_build" / "screenshots")).resolve()
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MAX_PAGE_BYTES = 3_000_000  # HTML + everything it loads (the budget: 3 MB)
VIEWPORT = {"width": 1280, "height": 900}
FULL_SCREENSHOTS = os.environ.get("DLMATH_FULL_SCREENSHOTS", "") not in ("", "0")
WAIT_MS = 15_000  # MathJax, images, fonts, search results: each must be ready within this

# Sphinx's generated pages next to the chapters. Both are reachable from every page (the search box,
# the index link), so they are checked like the chapters; search.html is loaded with a query so the
# offline search itself is exercised.
EXTRA_PAGES = ["search", "genindex"]


def chromium_path() -> str | None:
    """``$CHROMIUM`` when set (and only it), else Debian's /usr/bin/chromium or chromium on the PATH."""
    if "CHROMIUM" in os.environ:
        candidates = [os.environ["CHROMIUM"]]
    else:
        candidates = ["/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def toc_pages() -> list[str]:
    """The book's pages in reading order, from ``_toc.yml`` (e.g. 'book/intro'), then EXTRA_PAGES."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [p.removesuffix(".md").removesuffix(".ipynb") for p in pages] + EXTRA_PAGES


# The Chinese edition (tools/zh_edition.py) has the same pages under zh_CN/; every check runs on both.
ZH = "zh_CN/"
EN_PAGES = toc_pages()
PAGES = EN_PAGES + [ZH + p for p in EN_PAGES]
SEARCH_QUERY = {"search": "gradient", ZH + "search": "反向传播"}
CHROMIUM = chromium_path()
SKIP_BANNER = (
    "BROWSER TESTS SKIPPED: no Chromium at /usr/bin/chromium or on the PATH, and `make browser` could "
    "not install it (apt-get install chromium). The offline/MathJax/slider checks of the HTML book did "
    "NOT run."
)


# -- what one visit measures ---------------------------------------------------------------------
@dataclass
class PageReport:
    name: str
    url: str
    final_url: str = ""
    title: str = ""
    blocked: list[str] = field(default_factory=list)  # non-file:// requests (all aborted)
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # file:// requests that failed (a missing local file)
    page_errors: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    math: dict = field(default_factory=dict)
    resources: dict[str, int] = field(default_factory=dict)  # file path -> bytes on disk
    explorers: list[dict] = field(default_factory=list)
    solutions: dict = field(default_factory=dict)  # exercise solutions: hidden at first, shown on a click
    search_hits: int | None = None
    search_titles: list[str] = field(default_factory=list)
    typeset: dict = field(default_factory=dict)  # what typeset.py's rules judge (pagefacts.measure)
    screenshot: str = ""
    top_bar: dict = field(default_factory=dict)  # the theme's top navbar, if it takes room (TOP_BAR_JS)
    quiz: dict | None = None  # its self-check questions answered (quizcheck.grade_page), if it has any
    seconds: float = 0.0

    @property
    def weight(self) -> int:
        return sum(self.resources.values())


REPORTS: dict[str, PageReport] = {}
STANDALONE: dict[str, object] = {}  # what test_explorer_js.py measured, for the summary


def page_file(name: str) -> Path:
    return HTML_DIR / f"{name}.html"


def page_url(name: str) -> str:
    url = page_file(name).as_uri()
    return url + "?q=" + quote(SEARCH_QUERY[name]) if name in SEARCH_QUERY else url


def local_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    return Path(unquote(parts.path))


IMAGES_JS = """async (waitMs) => {
  const imgs = [...document.images];
  for (const i of imgs) i.loading = 'eager';
  const settle = i => i.complete ? null : new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); });
  await Promise.race([Promise.all(imgs.map(settle)), new Promise(r => setTimeout(r, waitMs))]);
  return imgs.map(i => ({src: (i.currentSrc || i.src).slice(0, 120), alt: i.getAttribute('alt'),
                         width: i.naturalWidth, complete: i.complete}));
}"""

MATH_JS = """async (waitMs) => {
  const maths = [...document.querySelectorAll('.math')];
  const mj = window.MathJax;
  const script = document.querySelector('script[src*="mathjax"]');
  const out = {n: maths.length, script: script ? script.src : null, loaded: !!(mj && mj.startup)};
  if (!out.loaded) return out;
  const timeout = new Promise((_, rej) => setTimeout(() => rej(new Error('MathJax did not finish')), waitMs));
  try { await Promise.race([mj.startup.promise, timeout]); out.finished = true; }
  catch (e) { out.finished = false; out.error = String(e); }
  out.containers = document.querySelectorAll('mjx-container').length;
  out.unrendered = maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80));
  out.merrors = [...document.querySelectorAll('mjx-merror')].map(
      e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 120));
  out.macros = Object.keys((mj.config && mj.config.tex && mj.config.tex.macros) || {});
  return out;
}"""

EXPLORER_STATE_JS = """(root) => {
  const img = root.querySelector('img');
  const inputs = [...root.querySelectorAll('input[type=range]')];
  return {src: img.src, alt: img.alt, width: img.naturalWidth, complete: img.complete,
          outputs: [...root.querySelectorAll('output')].map(o => o.textContent),
          values: inputs.map(i => i.value), valuetexts: inputs.map(i => i.getAttribute('aria-valuetext'))};
}"""


def explorer_data(explorer) -> dict:
    """The frames, labels and titles an explorer embeds in its script (see ``dlmath.explore``)."""
    script = explorer.evaluate("r => r.querySelector('script').textContent")
    return json.loads(re.search(r"var d=(\{.*?\});var r=", script, re.S).group(1))


def expected_state(data: dict, values: list[str]) -> dict:
    """What the explorer must show for these slider positions, worked out here in Python from the
    embedded data (independently of the page's script): the frame, the value labels, the alt text."""
    shown = [data["labels"][i][int(v)] for i, v in enumerate(values)]
    values_text = ", ".join(f"{n} = {t}" for n, t in zip(data["names"], shown, strict=True))
    return {"src": data["frames"]["_".join(values)], "outputs": shown, "valuetexts": shown,
            "alt": data["title"] + ": " + values_text + data.get("desc", "")}


def move_slider(page, explorer, slider, data: dict) -> dict:
    """Move one range input to its other end with the keyboard (End, or Home when already at the
    end), as a reader would, and report what the figure did and whether it is what the sliders say."""
    before = explorer.evaluate(EXPLORER_STATE_JS)
    at_end = slider.evaluate("s => s.value === s.max")
    how = "keyboard"
    try:
        slider.scroll_into_view_if_needed(timeout=2000)
        slider.press("Home" if at_end else "End", timeout=2000)
    except Exception:  # not visible (e.g. inside a collapsed cell): move it from script instead
        how = "script"
        slider.evaluate("s => { s.value = s.value === s.max ? s.min : s.max;"
                        " s.dispatchEvent(new Event('input', {bubbles: true})); }")
    explorer.evaluate("r => r.querySelector('img').decode().catch(() => null)")
    after = explorer.evaluate(EXPLORER_STATE_JS)
    expected = expected_state(data, after["values"])
    return {
        "how": how,
        "shown_before": before["src"] == expected_state(data, before["values"])["src"],
        "right_frame": after["src"] == expected["src"],
        "right_text": {k: after[k] == expected[k] for k in ("outputs", "valuetexts", "alt")},
        "label": slider.get_attribute("aria-label"),
        "value_moved": before["values"] != after["values"],
        "src_changed": before["src"] != after["src"],
        "is_frame": after["src"].startswith("data:image/png;base64,"),
        "loaded": after["complete"] and after["width"] > 0,
        "output_changed": before["outputs"] != after["outputs"],
        "alt_changed": before["alt"] != after["alt"],
    }


def check_solutions(page) -> dict:
    """Every exercise solution starts hidden; clicking the first one's title shows it (and again hides it)."""
    solutions = page.locator(".solution.dropdown")
    out = {"count": solutions.count(), "visible_at_first": [], "opens_on_click": None}
    for i in range(out["count"]):
        body = solutions.nth(i).locator(":scope > :not(.admonition-title)").first
        if body.count() and body.is_visible():
            out["visible_at_first"].append(solutions.nth(i).get_attribute("id"))
    if out["count"]:
        first = solutions.first
        body = first.locator(":scope > :not(.admonition-title)").first
        title = first.locator(".admonition-title")
        title.scroll_into_view_if_needed(timeout=2000)
        title.click(timeout=2000)
        try:
            body.wait_for(state="visible", timeout=3000)
            out["opens_on_click"] = True
        except Exception:
            out["opens_on_click"] = False
        title.click(timeout=2000)
        page.evaluate("window.scrollTo(0, 0)")
    return out


class Tab:
    """One browser tab reused for every page (a fresh context per page costs ~0.4 s each). Its
    handlers write into whichever report is current; routing also disables the HTTP cache, so every
    page's own requests are seen and weighed."""

    def __init__(self, browser):
        self.report: PageReport | None = None
        self.context = browser.new_context(viewport=VIEWPORT, service_workers="block")
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.report.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.report.page_errors.append(str(e)))
        self.page.on("websocket", lambda ws: self.report.blocked.append(ws.url))
        self.page.on("request", self._request)
        self.page.on("requestfailed", self._failed)

    def _route(self, r):
        url = r.request.url
        path = local_path(url)
        if path is None:
            if url not in self.report.blocked:
                self.report.blocked.append(url)
            r.abort()
            return
        if path.is_file():
            self.report.resources[str(path)] = path.stat().st_size
        r.continue_()

    def _failed(self, r):
        if local_path(r.url) is not None:  # remote ones fail because they are blocked: recorded there
            self.report.failed.append(f"{r.url} ({r.failure})")

    def _request(self, r):
        if local_path(r.url) is None and not r.url.startswith("data:") and r.url not in self.report.blocked:
            self.report.blocked.append(r.url)


# pydata-sphinx-theme's top navbar: sphinx-book-theme has none (offline_html.py sees to it), so it must take
# no room; if it does, its height and what it shows (e.g. a second search field).
TOP_BAR_JS = """() => { const h = document.querySelector('header.bd-header');
    const r = h ? h.getBoundingClientRect() : null;
    return r && r.height > 0 ? {height: r.height, text: h.innerText.trim().replace(/\\s+/g, ' ')} : {}; }"""

_TABS: dict[int, Tab] = {}


def visit(browser, name: str) -> PageReport:
    """Load one page offline, measure everything the tests check, and write its screenshot."""
    if name in REPORTS:
        return REPORTS[name]
    t0 = time.perf_counter()
    report = PageReport(name=name, url=page_url(name))
    if id(browser) not in _TABS:
        _TABS[id(browser)] = Tab(browser)
    tab = _TABS[id(browser)]
    tab.report, page = report, tab.page
    try:
        page.goto(report.url, wait_until="load", timeout=WAIT_MS)
        report.final_url = page.url
        report.title = page.title()
        report.top_bar = page.evaluate(TOP_BAR_JS)
        report.math = page.evaluate(MATH_JS, WAIT_MS)
        report.images = page.evaluate(IMAGES_JS, WAIT_MS)
        if name in SEARCH_QUERY:
            try:
                page.wait_for_selector("ul.search li", timeout=WAIT_MS)
            except Exception:
                pass
            report.search_hits = page.locator("ul.search li").count()
            report.search_titles = page.locator("ul.search li > a").all_inner_texts()
        report.solutions = check_solutions(page)
        explorers = page.locator(".dlmath-explorer")
        for i in range(explorers.count()):
            explorer = explorers.nth(i)
            sliders = explorer.locator('input[type="range"]')
            data = explorer_data(explorer)
            report.explorers.append({
                "id": explorer.get_attribute("id"),
                "sliders": [move_slider(page, explorer, sliders.nth(j), data) for j in range(sliders.count())],
            })
        page.evaluate("document.fonts.ready.then(() => null)")
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        shot = SHOTS_DIR / f"{name.replace('/', '_')}.png"
        page.evaluate("window.scrollTo(0, 0)")  # moving the sliders scrolled the page
        page.screenshot(path=str(shot), full_page=FULL_SCREENSHOTS)
        report.screenshot = str(shot)
        report.typeset = measure(page)  # it opens every collapsed part and resizes the window
        if page.locator('div[id^="dlq"]').count():  # last: answering changes the page
            report.quiz = grade_page(page, every_answer=not name.startswith(ZH))
    finally:
        page.goto("about:blank")  # later events (timers of the old page) cannot land in this report
    report.seconds = time.perf_counter() - t0
    REPORTS[name] = report
    return report


