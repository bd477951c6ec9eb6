"""The book's MathJax configuration, exactly as a built page carries it, in the browser.

The macros of ``_config.yml`` must mean what the chapters assume, and an undefined macro must be an
``mjx-merror`` (``noundefined`` is switched off) so that ``test_pages`` can count errors instead of
missing silently-red text.
"""

from __future__ import annotations

import re

import pytest
from bookcheck import HTML_DIR, PAGES, page_file

EXPECTED = {  # TeX -> what its MathML must contain
    r"\pd{J}{W}": ["<mfrac>", "&#x2202;"],  # a fraction of partial derivatives
    r"x \in \R^{n}": ['mathvariant="double-struck"', ">R<"],
    r"\vb{a}": ['mathvariant="bold"', ">a<"],
    r"W\T": ["<msup>", "&#x22A4;"],  # transpose: a superscript down tack
}


def book_mathjax_config() -> tuple[str, str]:
    """The inline ``window.MathJax = ...`` script and the MathJax script URL of a built page."""
    for name in PAGES:
        html = page_file(name).read_text(encoding="utf-8") if page_file(name).is_file() else ""
        config = re.search(r"<script>(window\.MathJax = .*?)</script>", html)
        # Sphinx appends "?v=<checksum>" once the file is in the output folder (a rebuild), not on a first build.
        src = re.search(r'<script defer="defer" src="\.\./(_static/mathjax/[^"?]+)(?:\?[^"]*)?"></script>', html)
        if config and src:
            return config.group(1), (HTML_DIR / src.group(1)).as_uri()
    pytest.fail("no built page loads MathJax")


@pytest.fixture(scope="module")
def mathjax_page(browser, html_dir, tmp_path_factory):
    config, src = book_mathjax_config()
    path = tmp_path_factory.mktemp("mathjax") / "macros.html"
    path.write_text(f"<!DOCTYPE html><html><head><title>macros</title><script>{config}</script>"
                    f'<script defer src="{src}"></script></head><body><span class="math">\\(x\\)</span></body></html>',
                    encoding="utf-8")
    context = browser.new_context()
    blocked = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                  else (blocked.append(r.request.url), r.abort()))
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=15_000)
    page.evaluate("MathJax.startup.promise.then(() => null)")
    yield page, blocked
    context.close()


@pytest.mark.parametrize("tex", sorted(EXPECTED))
def test_book_macros_expand(mathjax_page, tex):
    page, blocked = mathjax_page
    mml = page.evaluate("tex => MathJax.tex2mml(tex)", tex)
    assert "merror" not in mml, mml
    for piece in EXPECTED[tex]:
        assert piece in mml, f"{tex!r} -> {mml}"
    assert not blocked


def test_an_undefined_macro_is_an_error_not_red_text(mathjax_page):
    page, _ = mathjax_page
    mml = page.evaluate(r"() => MathJax.tex2mml('\\notamacro{x}')")
    assert "<merror" in mml and "notamacro" in mml, mml


def test_the_page_typesets_from_the_local_copy(mathjax_page):
    page, blocked = mathjax_page
    assert page.locator("mjx-container").count() == 1
    assert blocked == []
