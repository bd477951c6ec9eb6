"""The HTML slider of ``dlmath.explore`` in a real browser, on a page generated here and opened
from disk: every position of every slider shows exactly the frame Python rendered for it.

This does not depend on the chapters: it tests the mechanism, while ``test_pages.py`` tests every
explorer that the built book actually contains.
"""

from __future__ import annotations

import base64
import itertools
import time

import numpy as np
import pytest
from bookcheck import STANDALONE

from dlmath.explore import Explorer, Param


def _compute(slope, shift):
    x = np.linspace(-1.0, 1.0, 21)
    return x, slope * x + shift


def _plot(result, fig):
    ax = fig.add_subplot()
    ax.plot(*result, label="y = slope x + shift")
    ax.set_ylim(-4, 4)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("A line")
    ax.legend(loc="upper left")


@pytest.fixture(scope="module")
def explorer_page(browser, tmp_path_factory):
    # The second explorer has a description, and markup in its title that must not end its script early.
    first, second = (
        Explorer(_compute, _plot, [Param("slope", [-2.0, -1.0, 0.0, 1.0, 2.0], label="slope"),
                                   Param("shift", [-1.0, 0.0, 1.0], label="shift", default=0)],
                 title=title, description=description, figsize=(4.0, 2.5), dpi=50)
        for title, description in (("Generated explorer", ""),
                                   ("Second </script> explorer", "A straight line on a fixed y range."))
    )
    frames = first.frames()
    path = tmp_path_factory.mktemp("explorer") / "explorer.html"
    path.write_text("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Explorer test</title>"
                    f"</head><body>{first.static_html()}{second.static_html()}</body></html>", encoding="utf-8")
    context = browser.new_context()
    blocked, errors = [], []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                  else (blocked.append(r.request.url), r.abort()))
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    yield page, frames, blocked, errors
    context.close()


def shown(page, root) -> bytes:
    src = page.locator(root).locator("img").get_attribute("src")
    assert src.startswith("data:image/png;base64,")
    return base64.b64decode(src.split(",", 1)[1])


def test_every_slider_position_shows_its_frame(explorer_page):
    page, frames, blocked, errors = explorer_page
    t0 = time.perf_counter()
    root = ".dlmath-explorer >> nth=0"
    sliders = page.locator(root).locator('input[type="range"]')
    assert sliders.count() == 2
    assert shown(page, root) == frames["2_0"]  # the defaults: middle slope, first shift
    for i, j in itertools.product(range(5), range(3)):
        for k, v in enumerate((i, j)):  # set value + input event, as a script or assistive tech would
            sliders.nth(k).evaluate("(s, v) => { s.value = v; s.dispatchEvent(new Event('input')); }", v)
        assert shown(page, root) == frames[f"{i}_{j}"], (i, j)
    outputs = page.locator(root).locator("output").all_text_contents()
    assert outputs == ["2", "1"]
    alt = page.locator(root).locator("img").get_attribute("alt")
    assert alt == "Generated explorer: slope = 2, shift = 1"
    valuetexts = [sliders.nth(k).get_attribute("aria-valuetext") for k in range(2)]
    assert valuetexts == ["2", "1"]  # a screen reader hears the value, not the index 4 / 2
    STANDALONE["positions checked"] = 15
    STANDALONE["seconds"] = round(time.perf_counter() - t0, 2)
    assert not blocked and not errors, (blocked, errors)


def test_keyboard_moves_the_slider_and_the_figure(explorer_page):
    page, frames, _, _ = explorer_page
    root = ".dlmath-explorer >> nth=0"
    slope = page.locator(root).locator('input[type="range"]').nth(0)
    slope.evaluate("s => { s.value = 0; s.dispatchEvent(new Event('input')); }")
    shift = page.locator(root).locator('input[type="range"]').nth(1).input_value()
    slope.press("ArrowRight")
    assert slope.input_value() == "1"
    assert shown(page, root) == frames[f"1_{shift}"]
    slope.press("End")
    assert shown(page, root) == frames[f"4_{shift}"]


def test_two_explorers_on_one_page_are_independent(explorer_page):
    page, _, _, _ = explorer_page
    assert page.locator(".dlmath-explorer").count() == 2
    first, second = ".dlmath-explorer >> nth=0", ".dlmath-explorer >> nth=1"
    before = shown(page, second)
    page.locator(first).locator('input[type="range"]').nth(1).press("Home")
    page.locator(first).locator('input[type="range"]').nth(1).press("End")
    assert shown(page, second) == before
    page.locator(second).locator('input[type="range"]').nth(0).press("Home")
    assert shown(page, second) != before
    alt = page.locator(second).locator("img").get_attribute("alt")
    assert alt == "Second </script> explorer: slope = -2, shift = -1. A straight line on a fixed y range."
