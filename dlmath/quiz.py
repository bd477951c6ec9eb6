"""Self-check questions that grade the reader's answer, in the built book and in JupyterLab, offline.

The questions are shown by `jupyterquiz <https://pypi.org/project/jupyterquiz/>`_ (its JavaScript and
stylesheet come from the installed package at run time). This module builds its question records from
values a cell computed, so an answer can never drift from the number the text glues:

* :func:`numeric` — a number the reader works out by hand, accepted within a tolerance, with a hint for
  each common wrong answer (a transpose, a missing 1/m, a sign);
* :func:`choice` — a conceptual question whose wrong options are real misconceptions, each with the
  reason it is wrong;
* :func:`show` — displays a list of questions. The output is deterministic (its element id is made from
  the questions, the numbers are rounded to six significant digits), so nbval can compare it, and the
  quiz starts only once the page's MathJax is ready (jupyterquiz would otherwise fetch MathJax from a CDN
  if the book's own copy were still loading).
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
from collections.abc import Sequence
from typing import Any

from .errors import ShapeError
from .present import significant

QUIZ_PACKAGE = "jupyterquiz"


def _check_text(func: str, name: str, value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ShapeError(f"{func}: {name} must be a non-empty string (got {value!r})")
    return value


def _check_number(func: str, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ShapeError(f"{func}: {name} must be a finite real number (got {value!r})")
    return float(value)


def numeric(question: str, answer: float, tol: float, wrong: Sequence[tuple[float, str]] = (),
            otherwise: str = "Not this one: recompute it step by step.") -> dict[str, Any]:
    """A question with a numeric answer, accepted in ``[answer - tol, answer + tol)``.

    Parameters
    ----------
    question : the text: HTML with ``$…$`` math (jupyterquiz typesets the math and inserts the rest as
        HTML, so Markdown emphasis does not render and a literal ``<`` is written ``&lt;`` or ``\\lt``)
    answer : the value a cell computed
    tol : the half-width accepted (suited to hand arithmetic, e.g. a unit in the last asked decimal)
    wrong : pairs ``(value, hint)``: an answer within ``tol`` of ``value`` gets ``hint`` (a common mistake,
        such as the transposed entry or a missing 1/m); each must lie farther than ``2 tol`` from ``answer``
    otherwise : the feedback for any other answer

    Returns
    -------
    dict : a jupyterquiz question record
    """
    func = "numeric"
    _check_text(func, "question", question)
    answer, tol = _check_number(func, "answer", answer), _check_number(func, "tol", tol)
    if tol <= 0:
        raise ShapeError(f"numeric: tol must be positive (got {tol!r})")
    _check_text(func, "otherwise", otherwise)
    if isinstance(wrong, str | bytes) or not isinstance(wrong, Sequence):
        raise ShapeError(f"numeric: wrong must be a sequence of (value, hint) pairs (got {wrong!r})")
    answers = [{"type": "range", "range": [significant(answer - tol), significant(answer + tol)],
                "correct": True, "feedback": "Correct."}]
    for i, pair in enumerate(wrong):
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise ShapeError(f"numeric: wrong[{i}] must be a (value, hint) pair (got {pair!r})")
        value = _check_number(func, f"wrong[{i}] value", pair[0])
        _check_text(func, f"wrong[{i}] hint", pair[1])
        if abs(value - answer) <= 2 * tol:
            raise ShapeError(f"numeric: wrong[{i}] value {value!r} is within 2 tol = {2 * tol!r} of the answer "
                             f"{answer!r}: the reader could not tell the mistake from a rounding")
        for j, earlier in enumerate(wrong[:i]):
            if abs(value - float(earlier[0])) <= 2 * tol:
                raise ShapeError(f"numeric: wrong[{i}] value {value!r} is within 2 tol = {2 * tol!r} of wrong[{j}] "
                                 f"{float(earlier[0])!r}: the second hint could never be shown")
        answers.append({"type": "range", "range": [significant(value - tol), significant(value + tol)],
                        "correct": False, "feedback": pair[1]})
    answers.append({"type": "default", "feedback": otherwise})
    return {"question": question, "type": "numeric", "answers": answers}


def choice(question: str, options: Sequence[tuple[str, bool, str]]) -> dict[str, Any]:
    """A multiple-choice question with exactly one right option.

    ``options`` holds ``(text, correct, feedback)`` triples: the feedback of a wrong option says which
    misconception it is and why it fails.
    """
    func = "choice"
    _check_text(func, "question", question)
    if isinstance(options, str | bytes) or not isinstance(options, Sequence) or len(options) < 2:
        raise ShapeError(f"choice: options must be a sequence of at least 2 (text, correct, feedback) triples "
                         f"(got {options!r})")
    answers = []
    for i, opt in enumerate(options):
        if not (isinstance(opt, tuple | list) and len(opt) == 3):
            raise ShapeError(f"choice: options[{i}] must be a (text, correct, feedback) triple (got {opt!r})")
        text, correct, feedback = opt
        _check_text(func, f"options[{i}] text", text)
        _check_text(func, f"options[{i}] feedback", feedback)
        if not isinstance(correct, bool):
            raise ShapeError(f"choice: options[{i}] correct must be True or False (got {correct!r})")
        answers.append({"answer": text, "correct": correct, "feedback": feedback})
    n_right = sum(a["correct"] for a in answers)
    if n_right != 1:
        raise ShapeError(f"choice: exactly one option must be correct (got {n_right})")
    return {"question": question, "type": "multiple_choice", "answers": answers}


def quiz_html(questions: Sequence[dict[str, Any]], library: bool = True) -> tuple[str, str]:
    """The two parts :func:`show` displays: the container (HTML with the quiz's stylesheet) and the script
    (with jupyterquiz's library when ``library`` is true)."""
    from jupyterquiz.dynamic.renderer import build_styles, render_div

    if not isinstance(library, bool):
        raise ShapeError(f"show: library must be True or False (got {library!r})")
    if isinstance(questions, dict) or not isinstance(questions, Sequence) or not questions:
        raise ShapeError(f"show: questions must be a non-empty list of numeric()/choice() records (got {questions!r})")
    for i, q in enumerate(questions):
        if not (isinstance(q, dict) and q.get("type") in ("numeric", "multiple_choice") and "answers" in q):
            raise ShapeError(f"show: questions[{i}] is not a numeric()/choice() record (got {q!r})")
    data = json.dumps(list(questions), ensure_ascii=False, sort_keys=True)
    div_id = "dlq" + hashlib.sha1(data.encode()).hexdigest()[:12]
    div = render_div(div_id, False, True, False, 1_000_000, 640, 10, "left")
    styles = build_styles(div_id, _COLORS)
    # Start the quiz once the container exists and the page's MathJax (if any) has finished starting, so
    # jupyterquiz finds MathJax.typeset and never loads its own copy from the network.
    start = (
        f"function start{div_id}() {{\n"
        f"  var el = document.getElementById('{div_id}');\n"
        f"  if (!el) {{ setTimeout(start{div_id}, 200); return; }}\n"
        f"  if (el.dataset.started) {{ return; }}\n"
        "  if (typeof show_questions === 'undefined') {\n"
        "    el.textContent = 'Run the first self-check cell of this chapter (or Run All) to load the questions.';\n"
        "    return;\n"
        "  }\n"
        f"  el.dataset.started = '1';\n"
        f"  show_questions(questions{div_id}, el);\n"
        "}\n"
        "(function () {\n"
        "  var mj = window.MathJax;\n"
        f"  if (mj && mj.startup && mj.startup.promise) {{ mj.startup.promise.then(start{div_id}); }}\n"
        "  else if (mj && !mj.version && document.readyState !== 'complete') {\n"
        "    window.addEventListener('load', function () {\n"
        "      var m = window.MathJax;\n"
        f"      (m && m.startup && m.startup.promise ? m.startup.promise : Promise.resolve()).then(start{div_id});\n"
        "    });\n"
        f"  }} else {{ start{div_id}(); }}\n"
        "})();\n"
    )
    # The library is defined once per page (its classes inside a block: a second top-level `class Question`
    # would be a SyntaxError); show_questions, declared in the block, is global as in jupyterquiz itself.
    code = (f"if (typeof show_questions === 'undefined') {{\n{_library()}\n}}\n" if library else "")
    script = f"var questions{div_id} = {data};\n{code}{start}"
    return div + "</div>" + styles, script


def _library() -> str:
    """jupyterquiz's JavaScript, read from the installed package."""
    import importlib.resources

    js_dir = importlib.resources.files(QUIZ_PACKAGE).joinpath("js")
    return "".join(f.read_text(encoding="utf-8") for f in sorted(js_dir.iterdir(), key=lambda f: f.name)
                   if f.name.endswith(".js"))


def show(questions: Sequence[dict[str, Any]], library: bool = True) -> None:
    """Display self-check questions (records from :func:`numeric` and :func:`choice`) below the cell.

    jupyterquiz's library (about 37 kB) is needed once per page: a chapter passes ``library=True`` (the
    default) in its first self-check cell only and ``library=False`` in the others, which then wait for it
    (and say to run the first cell if it is missing, e.g. when a later cell is run first in JupyterLab).
    """
    from IPython.display import HTML, Javascript, display

    html, script = quiz_html(questions, library)
    display(HTML(html))
    display(Javascript(script))


# The book's colours: the theme's dark blue for questions, readable contrast for right and wrong.
_COLORS = {
    "--jq-multiple-choice-bg": "#1f3b63",
    "--jq-mc-button-bg": "#fafafa",
    "--jq-mc-button-border": "#c8c8c8",
    "--jq-mc-button-inset-shadow": "#555555",
    "--jq-many-choice-bg": "#1f3b63",
    "--jq-numeric-bg": "#1f3b63",
    "--jq-numeric-input-bg": "#f0f0f0",
    "--jq-numeric-input-label": "#101010",
    "--jq-numeric-input-shadow": "#999999",
    "--jq-string-bg": "#1f3b63",
    "--jq-incorrect-color": "#b00020",
    "--jq-correct-color": "#1b7a2a",
    "--jq-text-color": "#fafafa",
    "--jq-link-color": "#bcd4ff",
}
