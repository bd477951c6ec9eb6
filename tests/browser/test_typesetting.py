"""Every page reads cleanly at 1280 and 1024 px (issue 13, rendering classes 1-4): one test per class,
so a failure names the class, the page, the window width and the TeX or text to look for in the
notebook. The rules are in ``typeset.py``; ``test_guard_typesetting.py`` shows each one failing on a
deliberately broken page, so a green run here means the pages are clean, not that a rule is blind.
"""

from __future__ import annotations

from pagefacts import WIDTHS
from typeset import (
    code_noise,
    code_too_wide,
    numbers_unlike_sentence,
    raw_tex,
    swallowed_prose,
    too_wide,
)


def failures(name: str, found: list[str]) -> str:
    return f"{name}: {len(found)} finding(s)\n  " + "\n  ".join(found)


def test_the_page_was_measured_at_both_widths(report):
    assert set(report.typeset["widths"]) == set(WIDTHS), report.typeset.get("widths")
    if report.name.startswith("book/"):
        assert report.typeset["article"], f"{report.name} has no article.bd-article: nothing was judged"


def test_no_math_swallows_prose(report):
    """Class 1: no formula holds a sentence or Markdown; no TeX source is left in the prose."""
    found = swallowed_prose(report.typeset["maths"]) + raw_tex(report.typeset["blocks"])
    assert not found, failures(report.name, found)


def test_nothing_wider_than_the_column(report):
    """Class 2: no display or inline formula, and no prose table, wider than its column at 1280 or 1024 px."""
    found = too_wide(report.typeset["widths"])
    assert not found, failures(report.name, found)


def test_numbers_set_as_math(report):
    """Class 3: numbers in sentences read as typeset math (true minus, ×10ᵏ, not bold, not '< 0')."""
    found = numbers_unlike_sentence(report.name, report.typeset)
    assert not found, failures(report.name, found)


def test_code_cells_show_only_what_readers_need(report):
    """Class 4 (its measurable part): no NBVAL comment shown to readers, one box per printed stream."""
    found = code_noise(report.typeset)
    assert not found, failures(report.name, found)


def test_code_lines_fit_the_column(report):
    """Class 4: no line of a shown code cell cut off by the column at 1280 or 1024 px."""
    found = code_too_wide(report.typeset)
    assert not found, failures(report.name, found)
