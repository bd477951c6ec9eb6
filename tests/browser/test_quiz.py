"""Every self-check question of the built book graded in Chromium, offline, with the keyboard.

The questions (``dlmath.quiz``, drawn by jupyterquiz) carry their own answer records in the page. For
each question this test gives the answers a reader could give and reads the verdict the page shows:

* numeric: the middle of the accepted range is marked correct; the middle of each known-mistake range is
  marked wrong and shows that mistake's hint; a value far from every range gets the general feedback;
* choice: each option, selected with the keyboard (Tab to it, Space), is marked right or wrong as its
  record says and shows its own feedback.

Every chapter must hold at least ``MIN_QUESTIONS`` questions (issue 16), in both editions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bookcheck import EN_PAGES, WAIT_MS, ZH, PageReport, Tab, page_url

EN_CHAPTERS = [p for p in EN_PAGES if Path(p).name in ("chain_rule", "jacobian", "testnet", "batch", "deep", "cnn")]
CHAPTERS = EN_CHAPTERS + [ZH + p for p in EN_CHAPTERS]  # the Chinese edition's questions (quiz.po) too
MIN_QUESTIONS = 4

QUIZZES_JS = """() => Array.from(document.querySelectorAll('div[id^="dlq"]')).map(c => ({
    id: c.id, records: window['questions' + c.id] || null,
    shown: c.querySelectorAll(':scope > .Quiz').length}))"""

FEEDBACK_JS = """(el) => { const fb = el.closest('.Quiz').querySelector('.Feedback');
    return {text: fb.textContent.trim(), cls: fb.className, shown: getComputedStyle(fb).display !== 'none'}; }"""


def _plain(text: str) -> str:
    """A text as the page shows it once MathJax has typeset it and the HTML is rendered: compare only the
    words outside formulas and tags."""
    text = re.sub(r"\$[^$]*\$|<[^>]*>", " ", text)
    return " ".join(re.findall(r"[A-Za-z]{2,}|[\u3400-\u9fff]+", text))  # words, or runs of Chinese characters


def _words_shown(expected: str, shown: str) -> bool:
    want = _plain(expected).split()
    return all(w in shown for w in want)


@pytest.fixture(scope="module")
def graded(browser, html_dir):
    """``graded(name)``: every question of one chapter answered and its verdicts read (once per page)."""
    tab = Tab(browser)
    results: dict[str, dict] = {}

    def grade(name: str) -> dict:
        if name not in results:
            results[name] = _grade_page(tab, name)
        return results[name]

    try:
        yield grade
    finally:
        tab.context.close()


def _grade_page(tab, name: str) -> dict:
    tab.report = report = PageReport(name=name, url=page_url(name))
    page = tab.page
    page.goto(report.url, wait_until="load", timeout=WAIT_MS)
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise.then(() => null) : null")
    page.wait_for_timeout(300)
    quizzes = page.evaluate(QUIZZES_JS)
    problems, n_questions = [], 0
    for quiz in quizzes:
        if quiz["records"] is None or quiz["shown"] != len(quiz["records"]):
            problems.append(f"quiz {quiz['id']}: {quiz['shown']} questions shown of {len(quiz['records'] or [])}")
            continue
        wraps = page.locator(f"#{quiz['id']} > .Quiz")
        for i, record in enumerate(quiz["records"]):
            n_questions += 1
            where = f"{quiz['id']} question {i + 1} ({record['question'][:50]!r})"
            grade = _grade_numeric if record["type"] == "numeric" else _grade_choice
            problems += grade(page, wraps.nth(i), record, where)
    page.goto("about:blank")
    return {"questions": n_questions, "problems": problems, "blocked": list(report.blocked),
            "errors": report.console_errors + report.page_errors}


def _answer_numeric(page, box, value: float) -> dict:
    box.focus()
    box.fill(repr(value))
    box.press("Enter")
    page.wait_for_timeout(60)
    return box.evaluate(FEEDBACK_JS)


def _grade_numeric(page, wrap, record, where) -> list[str]:
    box = wrap.locator("input.Input-text")
    ranges = [a for a in record["answers"] if a.get("type") == "range"]
    default = next((a["feedback"] for a in record["answers"] if a.get("type") == "default"), "")
    problems = []
    for answer in ranges:
        lo, hi = answer["range"]
        fb = _answer_numeric(page, box, (lo + hi) / 2)
        verdict = "correct" if answer["correct"] else "incorrect"
        if not fb["shown"] or verdict not in fb["cls"].split():
            problems.append(f"{where}: {(lo + hi) / 2!r} should be marked {verdict}, got {fb}")
        elif not answer["correct"] and not _words_shown(answer["feedback"], fb["text"]):
            problems.append(f"{where}: the hint {answer['feedback']!r} is not shown for {(lo + hi) / 2!r}: {fb}")
    span = max(abs(v) for a in ranges for v in a["range"])
    far = 10 * span + 7.0
    fb = _answer_numeric(page, box, far)
    if "incorrect" not in fb["cls"].split() or not _words_shown(default, fb["text"]):
        problems.append(f"{where}: a far answer {far!r} should be wrong with {default!r}, got {fb}")
    if not any(a["correct"] for a in ranges):
        problems.append(f"{where}: no accepted range")
    return problems


def _grade_choice(page, wrap, record, where) -> list[str]:
    """Select each option with the keyboard; the feedback shown must be that of exactly one record, whose
    verdict it carries. jupyterquiz shuffles the options, so they are matched by what the page shows."""
    options = wrap.locator("label.MCButton")
    if options.count() != len(record["answers"]):
        return [f"{where}: {options.count()} options shown for {len(record['answers'])}"]
    problems, seen = [], []
    for j in range(options.count()):
        label = options.nth(j)
        label.locator("input[type=radio]").focus()  # the keyboard path: the radio has the focus,
        page.keyboard.press("Space")                  # Space selects it
        page.wait_for_timeout(60)
        fb = label.evaluate(FEEDBACK_JS)
        text = label.inner_text().strip()
        matches = [k for k, a in enumerate(record["answers"]) if _words_shown(a["feedback"], fb["text"])
                   and _words_shown(a["answer"], text)]
        if len(matches) != 1:
            problems.append(f"{where}: option {text!r} shows {fb['text']!r}, which matches records {matches}")
            continue
        answer = record["answers"][matches[0]]
        seen.append(matches[0])
        verdict = "correct" if answer["correct"] else "incorrect"
        if not fb["shown"] or verdict not in fb["cls"].split():
            problems.append(f"{where}: option {text!r} should be marked {verdict}, got {fb}")
        if label.get_attribute("data-correct") != str(answer["correct"]).lower():
            problems.append(f"{where}: option {text!r} carries data-correct={label.get_attribute('data-correct')}")
    if sorted(seen) != list(range(len(record["answers"]))):
        problems.append(f"{where}: options reached {sorted(seen)} of {len(record['answers'])} records")
    return problems


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


def test_the_six_chapters_are_in_the_book():
    assert len(EN_CHAPTERS) == 6, EN_CHAPTERS
