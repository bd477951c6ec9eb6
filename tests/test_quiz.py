"""dlmath.quiz: self-check question records built from computed values, shown deterministically offline."""

import json
import re

import pytest

from dlmath import ShapeError
from dlmath.quiz import choice, numeric, quiz_html

Q = "What is $\\partial J/\\partial W_{12}$?"


def test_numeric_accepts_the_answer_within_tol_and_names_each_mistake():
    q = numeric(Q, 0.12334, 0.0005, wrong=[(-0.12334, "sign"), (0.4, "transpose")], otherwise="other")
    right, sign, transpose, default = q["answers"]
    assert q["type"] == "numeric" and q["question"] == Q
    assert right == {"type": "range", "range": [0.12284, 0.12384], "correct": True, "feedback": "Correct."}
    assert sign["range"] == [-0.12384, -0.12284] and not sign["correct"] and sign["feedback"] == "sign"
    assert transpose["range"] == [0.3995, 0.4005] and transpose["feedback"] == "transpose"
    assert default == {"type": "default", "feedback": "other"}


def test_numeric_rounds_the_stored_bounds_to_six_digits():
    # the bounds are stored in the notebook: they must not carry the last bits of the computed answer
    q = numeric(Q, 0.1 + 0.2, 1e-3)
    assert q["answers"][0]["range"] == [0.299, 0.301]


def test_a_mistake_indistinguishable_from_the_answer_is_refused():
    with pytest.raises(ShapeError, match=r"numeric: wrong\[0\] value 0.1235 is within 2 tol"):
        numeric(Q, 0.1233, 0.0005, wrong=[(0.1235, "too close")])


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"question": ""}, "question must be a non-empty string"),
    ({"answer": float("nan")}, "answer must be a finite real number"),
    ({"answer": "1"}, "answer must be a finite real number"),
    ({"tol": 0.0}, "tol must be positive"),
    ({"wrong": "ab"}, "wrong must be a sequence of"),
    ({"wrong": [(1.0,)]}, r"wrong\[0\] must be a \(value, hint\) pair"),
    ({"wrong": [(5.0, "")]}, r"wrong\[0\] hint must be a non-empty string"),
])
def test_numeric_refuses_bad_input(kwargs, match):
    args = {"question": Q, "answer": 1.0, "tol": 0.01} | kwargs
    with pytest.raises(ShapeError, match="numeric: " + match):
        numeric(**args)


def test_choice_keeps_every_option_and_its_feedback():
    q = choice("Does the gradient grow like s?", [("always", False, "dead units"), ("not always", True, "right")])
    assert q == {"question": "Does the gradient grow like s?", "type": "multiple_choice",
                 "answers": [{"answer": "always", "correct": False, "feedback": "dead units"},
                             {"answer": "not always", "correct": True, "feedback": "right"}]}


@pytest.mark.parametrize(("options", "match"), [
    ([("a", True, "f")], "options must be a sequence of at least 2"),
    ([("a", True, "f"), ("b", True, "g")], "exactly one option must be correct"),
    ([("a", False, "f"), ("b", False, "g")], "exactly one option must be correct"),
    ([("a", 1, "f"), ("b", False, "g")], r"options\[0\] correct must be True or False"),
    ([("a", True), ("b", False, "g")], r"options\[0\] must be a \(text, correct, feedback\) triple"),
])
def test_choice_refuses_bad_options(options, match):
    with pytest.raises(ShapeError, match="choice: " + match):
        choice("q?", options)


def test_quiz_html_is_deterministic_and_ids_follow_the_questions():
    qs = [numeric(Q, 0.5, 0.01), choice("q?", [("a", True, "f"), ("b", False, "g")])]
    html1, js1 = quiz_html(qs)
    html2, js2 = quiz_html(qs)
    assert (html1, js1) == (html2, js2)
    div_id = re.search(r'<div id="(dlq[0-9a-f]{12})"', html1).group(1)
    assert f"var questions{div_id} = " in js1 and f"show_questions(questions{div_id}, el)" in js1
    other_id = re.search(r'<div id="(dlq[0-9a-f]{12})"', quiz_html(qs[:1])[0]).group(1)
    assert other_id != div_id
    data = json.loads(js1.split(" = ", 1)[1].split(";\n", 1)[0])
    assert data == qs  # the records, as built from the cell's values


def test_the_library_is_defined_once_per_page_and_waits_for_mathjax():
    _, js = quiz_html([numeric(Q, 0.5, 0.01)])
    assert "if (typeof show_questions === 'undefined') {" in js  # a second quiz would redeclare class Question
    assert "mj.startup.promise.then(" in js


@pytest.mark.parametrize("bad", [[], {}, None, [{"type": "essay"}], "q"])
def test_quiz_html_refuses_what_is_not_a_list_of_records(bad):
    with pytest.raises(ShapeError, match="show: questions"):
        quiz_html(bad)


def test_two_mistakes_a_reader_could_not_tell_apart_are_refused():
    with pytest.raises(ShapeError, match=r"numeric: wrong\[1\] value 0.5005 is within 2 tol .* of wrong\[0\]"):
        numeric(Q, 0.1233, 0.0005, wrong=[(0.5, "one"), (0.5005, "two")])


def test_the_library_can_be_left_to_the_first_quiz_of_the_page():
    qs = [numeric(Q, 0.5, 0.01)]
    _, with_lib = quiz_html(qs)
    _, without = quiz_html(qs, library=False)
    assert "class Question" in with_lib and "class Question" not in without
    assert len(without) < len(with_lib) / 5
    assert "Run the first self-check cell of this chapter" in without  # said when the library is missing
    with pytest.raises(ShapeError, match="show: library must be True or False"):
        quiz_html(qs, library="False")
