"""The rules of ``typeset.py`` catch what they are for: each fixture page of ``fixtures/`` (a broken
article inside a real page of the built book, with its theme, MyST-NB CSS and MathJax) must be
caught by its rule at every window width, and the clean fixture by none. So a green
``test_typesetting`` run means clean pages, not blind rules.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bookcheck import MATH_JS, PAGES, PageReport, Tab, page_file
from pagefacts import WIDTHS, measure
from typeset import (
    code_noise,
    code_too_wide,
    numbers_unlike_sentence,
    raw_tex,
    swallowed_prose,
    too_wide,
)

FIXTURES = Path(__file__).parent / "fixtures"
NAMES = ("swallowed_prose", "too_wide", "numbers", "code_noise", "clean")


def host_page() -> Path:
    """The first built chapter with an article and MathJax: its <article> is replaced by a fixture."""
    for name in PAGES:
        path = page_file(name)
        if path.is_file():
            html = path.read_text(encoding="utf-8")
            if '<article class="bd-article">' in html and "mathjax/startup.js" in html:
                return path
    pytest.fail("no built page has an article and MathJax to host the fixtures")


def fixture_page(host: Path, name: str, out_dir: Path) -> Path:
    html = host.read_text(encoding="utf-8")
    body = (FIXTURES / f"{name}.html").read_text(encoding="utf-8")
    html, n = re.subn(r'(<article class="bd-article">).*?(</article>)', lambda m: m.group(1) + body + m.group(2),
                      html, count=1, flags=re.S)
    assert n == 1, f"{host} has no <article class=\"bd-article\">"
    # The host's "on this page" links point at its own sections, now gone; the theme's scroll-spy
    # would throw on them: point them at the article instead.
    html = re.sub(r'(class="reference internal nav-link" href=)"#[^"]*"', r'\1"#main-content"', html)
    html = re.sub(r"<head[^>]*>", lambda m: m.group(0) + f'<base href="{host.parent.as_uri()}/">', html, count=1)
    path = out_dir / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def measured(browser, html_dir, tmp_path_factory) -> dict[str, dict]:
    host, out_dir = host_page(), tmp_path_factory.mktemp("typeset")
    tab = Tab(browser)
    facts = {}
    try:
        for name in NAMES:
            tab.report = report = PageReport(name=name, url=fixture_page(host, name, out_dir).as_uri())
            tab.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            tab.page.goto(report.url, wait_until="load")
            math = tab.page.evaluate(MATH_JS, 15_000)
            facts[name] = measure(tab.page)
            facts[name]["load"] = {"math": math, "blocked": report.blocked, "failed": report.failed,
                                   "errors": report.console_errors + report.page_errors}
    finally:
        tab.context.close()
    return facts


@pytest.mark.parametrize("name", NAMES)
def test_fixture_pages_load_like_book_pages(measured, name):
    load = measured[name]["load"]
    assert load["math"]["loaded"] and load["math"]["finished"], load["math"]
    assert load["math"]["merrors"] == [] and load["math"]["unrendered"] == [], load["math"]
    assert not load["blocked"] and not load["failed"] and not load["errors"], load
    assert measured[name]["article"], "the fixture is not inside article.bd-article"
    assert set(measured[name]["widths"]) == set(WIDTHS)


def test_swallowed_prose_and_raw_tex_are_caught(measured):
    facts = measured["swallowed_prose"]
    swallowed = "\n".join(swallowed_prose(facts["maths"]))
    assert "Markdown «**»" in swallowed, swallowed  # "This is a neuron of a **reversed network**"
    assert "prose «layer above, its weights are the same»" in swallowed, swallowed
    raw = "\n".join(raw_tex(facts["blocks"]))
    for shown in ("«\\partial»", "«\\frac»", "«$$»", "raw TeX «$» in prose: «that did not close: the cost $C"):
        assert shown in raw, (shown, raw)


def test_too_wide_is_caught_at_every_width(measured):
    found = too_wide(measured["too_wide"]["widths"])
    for width in WIDTHS:
        at = [f for f in found if f.startswith(f"at {width} px ")]
        for what, tex in (("display formula", r"«W^{(1)} = \begin{pmatrix}"), ("inline formula", r"«x \mapsto z^{[1]}"),
                          ("table", "«concept | this book and dlmath")):
            assert any(what in f and tex in f for f in at), (width, what, at)
    numbers = [tuple(map(int, m)) for m in re.findall(r"is (\d+) px in a (\d+) px column", "\n".join(found))]
    assert numbers and all(natural > room + 2 for natural, room in numbers), numbers


def test_numbers_unlike_the_sentence_are_caught(measured):
    found = "\n".join(numbers_unlike_sentence("fixture", measured["numbers"]))
    for expected in ("glued value(s) are bold in regular sentences: «-0.1966», «9.4e+15»",
                     r"glued value «-0.1966» completes a formula in the text font: TeX «\partial f/\partial u",
                     "ASCII hyphen as a minus «-» in prose",
                     "Python-style exponent «9.4e+15» in prose", "Python-style exponent «4.0e-13» in prose",
                     "prints a bound of 0: «index sums vs conv2d_forward(x, delta^F): max |diff| < 0»"):
        assert expected in found, (expected, found)


def test_code_noise_is_caught_at_every_width(measured):
    found = code_noise(measured["code_noise"]) + code_too_wide(measured["code_noise"])
    text = "\n".join(found)
    assert "shows «# NBVAL_IGNORE_OUTPUT» to readers" in text, text
    assert "prints one stream in 4 separate boxes" in text, text
    for width in WIDTHS:
        assert any(f.startswith(f"at {width} px ") and "code line" in f and "average pooling" in f for f in found), text


def test_the_clean_page_passes_every_rule(measured):
    facts = measured["clean"]
    found = (swallowed_prose(facts["maths"]) + raw_tex(facts["blocks"]) + too_wide(facts["widths"])
             + numbers_unlike_sentence("fixture", facts) + code_noise(facts) + code_too_wide(facts))
    assert found == []
    assert len(facts["maths"]) >= 10 and facts["pasted"] and facts["cells"]  # it was really measured
