"""Every self-check question of the built book graded in Chromium, offline, with the keyboard
(``quizcheck.py``, during the page's one visit: ``bookcheck.visit``).

Every chapter must hold at least ``MIN_QUESTIONS`` questions (issue 16), in both editions. The Chinese
edition's questions are the English records with their words translated (``quiz.po``): the test checks
that, record by record (types, ranges, verdicts, number of options); in the page it grades each Chinese
question's accepted answer and one mistake, where the English edition is graded exhaustively.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bookcheck import EN_PAGES, ZH, visit

EN_CHAPTERS = [p for p in EN_PAGES if Path(p).name in ("chain_rule", "jacobian", "testnet", "batch", "deep", "cnn")]
CHAPTERS = EN_CHAPTERS + [ZH + p for p in EN_CHAPTERS]  # the Chinese edition's questions (quiz.po) too
MIN_QUESTIONS = 4


@pytest.fixture(scope="module")
def graded(browser, html_dir):
    """``graded(name)``: the questions of one page answered, and the page's requests and errors."""
    def grade(name: str) -> dict:
        report = visit(browser, name)
        return {**(report.quiz or {"questions": 0, "problems": ["the page was not graded"], "records": []}),
                "blocked": report.blocked, "errors": report.console_errors + report.page_errors}
    return grade


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_question_grades_right_and_wrong_answers(graded, name):
    assert not graded(name)["problems"], "\n".join(graded(name)["problems"])


@pytest.mark.parametrize("name", CHAPTERS)
def test_each_chapter_asks_at_least_four_questions(graded, name):
    assert graded(name)["questions"] >= MIN_QUESTIONS, f"{name}: {graded(name)['questions']} questions"


@pytest.mark.parametrize("name", CHAPTERS)
def test_answering_fetches_nothing_and_raises_no_error(graded, name):
    assert graded(name)["blocked"] == [], graded(name)["blocked"]
    assert graded(name)["errors"] == [], graded(name)["errors"]


def _structure(record: dict) -> tuple:
    """A question record without its words: what grading depends on."""
    return (record["type"], tuple((a.get("type"), tuple(a.get("range", ())), a.get("correct"))
                                  for a in record["answers"]))


@pytest.mark.parametrize("name", EN_CHAPTERS)
def test_the_chinese_questions_are_the_english_ones_translated(graded, name):
    en, zh = graded(name)["records"], graded(ZH + name)["records"]
    assert [_structure(r) for r in zh] == [_structure(r) for r in en], name
    same = [r["question"] for r, t in zip(en, zh, strict=True) if r["question"] == t["question"]]
    assert not same, f"{ZH + name}: questions left in English: {same[:3]}"


def test_the_six_chapters_are_in_the_book():
    assert len(EN_CHAPTERS) == 6, EN_CHAPTERS
