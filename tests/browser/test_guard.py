"""The checks themselves: a page that reaches for the network, has a broken image, a missing local file,
a console error or an uncaught exception is caught (so a green run of ``test_pages`` means something)."""

from __future__ import annotations

from bookcheck import IMAGES_JS, MATH_JS, PageReport, Tab

BAD_PAGE = """<!DOCTYPE html><html><head><title>bad</title>
<link rel="stylesheet" href="https://fonts.example.org/font.css">
<script src="https://cdn.example.org/require.js"></script>
</head><body>
<img src="https://example.org/figure.png" alt="figure.png">
<img src="missing.png" alt="">
<script>fetch("https://example.org/data.json").catch(() => null);</script>
<script>console.error("logged error");</script>
<script>throw new Error("uncaught error");</script>
</body></html>"""


def test_remote_requests_are_blocked_and_recorded(browser, tmp_path):
    page_file = tmp_path / "bad.html"
    page_file.write_text(BAD_PAGE, encoding="utf-8")
    tab = Tab(browser)
    try:
        tab.report = report = PageReport(name="bad", url=page_file.as_uri())
        tab.page.goto(report.url)
        images = tab.page.evaluate(IMAGES_JS, 5000)
        math = tab.page.evaluate(MATH_JS, 5000)
    finally:
        tab.context.close()
    assert set(report.blocked) >= {"https://fonts.example.org/font.css", "https://cdn.example.org/require.js",
                                   "https://example.org/figure.png", "https://example.org/data.json"}
    assert all(img["width"] == 0 for img in images)  # neither image loaded
    assert any(f.startswith((tmp_path / "missing.png").as_uri()) for f in report.failed), report.failed
    assert "logged error" in report.console_errors, report.console_errors
    assert any("uncaught error" in e for e in report.page_errors), report.page_errors
    assert str(page_file) in report.resources  # the page itself is weighed
    assert math == {"n": 0, "script": None, "loaded": False}
