"""Fixtures and the summary of the browser tests; the machinery is in ``bookcheck.py``.

``make browser`` runs these against ``_build/html`` (build the book first). Where Chromium cannot be
found or installed, every test here is skipped and a loud banner says so in the summary.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from bookcheck import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HTML_DIR,
    MAX_PAGE_BYTES,
    PAGES,
    REPORTS,
    SHOTS_DIR,
    SKIP_BANNER,
    STANDALONE,
    PageReport,
    visit,
)


# -- fixtures and hooks ----------------------------------------------------------------------------
def pytest_collection_modifyitems(config, items):
    if CHROMIUM is not None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=SKIP_BANNER))


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip(SKIP_BANNER)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def html_dir():
    if not (HTML_DIR / "index.html").is_file():
        pytest.fail(f"no built book at {HTML_DIR} (run `make book` first, or set DLMATH_HTML_DIR)")
    return HTML_DIR


@pytest.fixture
def report(browser, html_dir, page_name) -> PageReport:
    return visit(browser, page_name)


def pytest_generate_tests(metafunc):
    if "page_name" in metafunc.fixturenames:
        metafunc.parametrize("page_name", PAGES)


_T0 = time.perf_counter()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    tr = terminalreporter
    if CHROMIUM is None:
        tr.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
        tr.write_line(SKIP_BANNER, red=True, bold=True)
        tr.write_sep("!", "", red=True, bold=True)
        return
    if not REPORTS:
        return
    tr.write_sep("=", f"HTML book in Chromium ({CHROMIUM}), offline")
    tr.write_line(f"{'page':22} {'weight':>10} {'largest resource':>44} {'math':>5} {'img':>4} {'sliders':>7} {'s':>5}")
    for r in sorted(REPORTS.values(), key=lambda r: -r.weight):
        big = max(r.resources.items(), key=lambda kv: kv[1], default=("", 0))
        rel = os.path.relpath(big[0], HTML_DIR) if big[0] else ""
        n_sliders = sum(len(e["sliders"]) for e in r.explorers)
        tr.write_line(f"{r.name:22} {r.weight / 1e6:8.2f}MB {rel[-34:]:>34} {big[1] / 1e6:7.2f}MB "
                      f"{r.math.get('containers', 0):5d} {len(r.images):4d} {n_sliders:7d} {r.seconds:5.1f}")
    heaviest = max(REPORTS.values(), key=lambda r: r.weight)
    explorers = [(r.name, e["id"]) for r in REPORTS.values() for e in r.explorers]
    blocked = sorted({u for r in REPORTS.values() for u in r.blocked})
    tr.write_line(f"pages checked: {len(REPORTS)} ({', '.join(REPORTS)})")
    tr.write_line(f"largest page: {heaviest.name} {heaviest.weight / 1e6:.2f} MB (budget {MAX_PAGE_BYTES / 1e6:.1f} MB)")
    tr.write_line(f"sliders on book pages: {len(explorers)} explorer(s) {explorers}")
    if STANDALONE:
        tr.write_line(f"generated explorer (file://): {STANDALONE}")
    tr.write_line(f"network requests blocked: {len(blocked)} {blocked[:5]}")
    tr.write_line(f"screenshots: {SHOTS_DIR}")
    tr.write_line(f"browser test time: {time.perf_counter() - _T0:.1f} s")
