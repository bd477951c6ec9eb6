"""Grading the self-check questions of a loaded page (``dlmath.quiz``, drawn by jupyterquiz) the way a
reader answers them, with the keyboard; :func:`bookcheck.visit` calls :func:`grade_page` on every page
that has questions, after its other measurements, and ``test_quiz.py`` judges the result.

The questions carry their own answer records in the page. For each question the grader gives the answers
a reader could give and reads the verdict the page shows:

* numeric: the middle of the accepted range is marked correct; the middle of each known-mistake range is
  marked wrong and shows that mistake's hint; a value far from every range gets the general feedback;
* choice: each option, selected with the keyboard (the radio focused, Space), is marked right or wrong
  as its record says and shows its own feedback.

With ``every_answer=False`` (the Chinese edition, whose records are the English ones translated, which
``test_quiz.py`` checks) each question gets its accepted answer and one mistake, plus the far answer.
"""

from __future__ import annotations

import re

QUIZZES_JS = """() => Array.from(document.querySelectorAll('div[id^="dlq"]')).map(c => ({
    id: c.id, records: window['questions' + c.id] || null,
    shown: c.querySelectorAll(':scope > .Quiz').length}))"""

FEEDBACK_JS = """(el) => { const fb = el.closest('.Quiz').querySelector('.Feedback');
    return {text: fb.textContent.trim(), cls: fb.className, shown: getComputedStyle(fb).display !== 'none'}; }"""

# Before an answer: blank the question's feedback and put the keyboard focus on `el` (a numeric box is
# selected, so typing replaces it). After the key press, the verdict is read once the page has set one.
PREPARE_JS = """(el) => { const fb = el.closest('.Quiz').querySelector('.Feedback');
    fb.className = fb.className.split(' ').filter(c => c !== 'correct' && c !== 'incorrect').join(' ');
    fb.textContent = ''; el.focus(); if (el.select) el.select(); }"""
VERDICT_JS = """(el) => { const fb = el.closest('.Quiz').querySelector('.Feedback');
    return /\\b(?:in)?correct\\b/.test(fb.className); }"""


def _plain(text: str) -> str:
    """A text as the page shows it once MathJax has typeset it and the HTML is rendered: compare only the
    words outside formulas and tags."""
    text = re.sub(r"\$[^$]*\$|<[^>]*>", " ", text)
    return " ".join(re.findall(r"[A-Za-z]{2,}|[\u3400-\u9fff]+", text))  # words, or runs of Chinese characters


def _words_shown(expected: str, shown: str) -> bool:
    want = _plain(expected).split()
    return all(w in shown for w in want)


def grade_page(page, every_answer: bool = True) -> dict:
    """Answer the questions of the loaded page (its MathJax ready) and read the verdicts it shows."""
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
            problems += grade(page, wraps.nth(i), record, where, every_answer)
    return {"questions": n_questions, "problems": problems,
            "records": [r for quiz in quizzes for r in (quiz["records"] or [])]}


def _answer(page, el, *keys: str) -> dict:
    """Focus `el`, type what a reader types (real key events: the handlers see trusted input), and read
    the verdict the page shows."""
    el.evaluate(PREPARE_JS)
    for key in keys:
        if len(key) > 1 and key[0].isupper():
            page.keyboard.press(key)        # a named key: Enter, Space
        else:
            page.keyboard.insert_text(key)  # the typed value, replacing the selection
    if not el.evaluate(VERDICT_JS):  # jupyterquiz's handlers are synchronous: the verdict is usually there
        try:
            page.wait_for_function(VERDICT_JS, arg=el, polling="raf", timeout=5_000)
        except Exception:  # noqa: BLE001 (no verdict: the feedback read below says so)
            pass
    return el.evaluate(FEEDBACK_JS)


def _answer_numeric(page, box, value: float) -> dict:
    return _answer(page, box.element_handle(), repr(value), "Enter")


def _grade_numeric(page, wrap, record, where, every_answer: bool = True) -> list[str]:
    box = wrap.locator("input.Input-text")
    ranges = [a for a in record["answers"] if a.get("type") == "range"]
    default = next((a["feedback"] for a in record["answers"] if a.get("type") == "default"), "")
    problems = []
    graded = ranges if every_answer else _one_right_one_wrong(ranges, lambda a: a["correct"])
    for answer in graded:
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


def _one_right_one_wrong(items: list, is_right) -> list:
    return [x for x in (next((x for x in items if is_right(x)), None),
                        next((x for x in items if not is_right(x)), None)) if x is not None]


def _grade_choice(page, wrap, record, where, every_answer: bool = True) -> list[str]:
    """Select each option with the keyboard; the feedback shown must be that of exactly one record, whose
    verdict it carries. jupyterquiz shuffles the options, so they are matched by what the page shows.
    Without `every_answer`: one option marked right in the page and one marked wrong."""
    options = wrap.locator("label.MCButton")
    if options.count() != len(record["answers"]):
        return [f"{where}: {options.count()} options shown for {len(record['answers'])}"]
    problems, seen = [], []
    chosen = list(range(options.count()))
    if not every_answer:
        marks = options.evaluate_all("ls => ls.map(l => l.getAttribute('data-correct'))")
        chosen = _one_right_one_wrong(chosen, lambda j: marks[j] == "true")
    for j in chosen:
        label = options.nth(j)
        # the keyboard path: the radio has the focus, Space selects it
        fb = _answer(page, label.locator("input[type=radio]").element_handle(), "Space")
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
    if every_answer and sorted(seen) != list(range(len(record["answers"]))):
        problems.append(f"{where}: options reached {sorted(seen)} of {len(record['answers'])} records")
    return problems
