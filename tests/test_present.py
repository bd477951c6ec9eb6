"""dlmath.present: what the book stores must not depend on the last bits of a float."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmath import ShapeError
from dlmath.present import GLUE_DIGITS, glue, significant, within


@pytest.mark.parametrize(
    ("x", "digits", "expected"),
    [
        (1.9980473890474035, 6, 1.99805),  # the two values two BLAS kernels gave for one glued number
        (1.998047389047404, 6, 1.99805),
        (1818.0775439161082, 6, 1818.08),
        (-0.00012345678, 3, -0.000123),
        (9444764837754866.0, 6, 9.44476e15),
        (3.54351628859262e-25, 6, 3.54352e-25),
        (0.0, 6, 0.0),
        (5, 2, 5.0),
    ],
)
def test_significant_rounds_to_the_given_digits(x, digits, expected):
    assert significant(x, digits) == expected


def test_significant_keeps_inf_and_nan():
    assert significant(math.inf) == math.inf
    assert math.isnan(significant(math.nan))


@given(st.floats(min_value=-1e300, max_value=1e300, allow_nan=False).filter(lambda v: v != 0))
def test_significant_is_within_half_a_unit_of_the_last_kept_digit(x):
    r = significant(x)
    assert abs(r - x) <= 0.5 * 10 ** (math.floor(math.log10(abs(x))) - GLUE_DIGITS + 1) * (1 + 1e-12)


@given(st.floats(min_value=1e-300, max_value=1e300), st.integers(1, 10))
def test_significant_is_stable_under_a_last_bit_change(x, digits):
    # Stored outputs differ by a few ulps between machines; rounding removes that unless the value
    # sits on a rounding boundary (probability ~1e-10 at six digits).
    r = significant(x, digits)
    assert significant(r, digits) == r


@pytest.mark.parametrize("bad", [None, "1.0", 1 + 2j, True])
def test_significant_refuses_non_reals(bad):
    with pytest.raises(ShapeError, match="significant: x must be a real number"):
        significant(bad)


@pytest.mark.parametrize("bad", [0, 18, 2.5, True])
def test_significant_refuses_bad_digits(bad):
    with pytest.raises(ShapeError, match="significant: digits must be an int from 1 to 17"):
        significant(1.0, bad)


@pytest.mark.parametrize(
    ("err", "tol", "text"),
    [(3.4e-17, 1e-12, "< 1e-12: True"), (0.0, 1e-7, "< 1e-7: True"), (2e-7, 1e-7, "< 1e-7: False"),
     (1e-7, 1e-7, "< 1e-7: False"), (5.0, 1e5, "< 1e5: True")],
)
def test_within_prints_the_tolerance_and_the_verdict(err, tol, text):
    assert within(err, tol) == text


@pytest.mark.parametrize(("err", "tol", "match"), [
    (math.nan, 1e-12, "err must be a non-negative number"),
    (-1.0, 1e-12, "err must be a non-negative number"),
    (1e-3, 0.0, "tol must be a positive finite number"),
    (1e-3, math.inf, "tol must be a positive finite number"),
    (None, 1e-12, "err must be a real number"),
])
def test_within_refuses_bad_input(err, tol, match):
    with pytest.raises(ShapeError, match="within: " + match):
        within(err, tol)


def test_glue_rounds_floats_and_passes_the_rest(capsys):
    from dlmath import present

    glue("f", 1.9980473890474035)
    glue("npf", np.float64(17.997146189265006))
    glue("npi", np.int64(512))
    glue("b", np.bool_(True))
    glue("s", "(0.1, 0.2)")
    glue("flops", 6444550017.0)  # a whole number is exact on every machine: all its digits are kept
    kept = present._GLUED
    assert kept["f"] == 1.99805
    assert kept["npf"] == 17.9971 and type(kept["npf"]) is float
    assert kept["npi"] == 512 and type(kept["npi"]) is int
    assert kept["b"] is True
    assert kept["s"] == "(0.1, 0.2)"
    assert kept["flops"] == 6444550017.0
    assert capsys.readouterr().out == ""  # display=False shows nothing
    glue("shown", 0.5, display=True, digits=2)
    assert kept["shown"] == 0.5 and capsys.readouterr().out.strip() == "0.5"


def test_glued_formats_what_was_glued():
    from IPython.display import Latex, Markdown, Math

    from dlmath.present import glue_math, glued

    glue("p", 0.19661193324148188)
    glue("n", np.int64(6444550017))
    glue("words", "never goes up")
    glue("md_words", Markdown("pad 0: 13×13"))
    glue("md_formula", Markdown("$-0.5$"))
    glue("block", Math(r"\delta = 1"))
    glue_math("ratio", 9.444764837754866e15, ".1e")
    # expected strings written out by hand from the values above
    assert glued("p", ".4f") == "0.1966" and glued("p", ".2%") == "19.66%" and glued("p") == "0.196612"
    assert glued("n", ",.0f") == "6,444,550,017"
    assert glued("words") == "never goes up" and glued("md_words") == "pad 0: 13×13"
    formula = glued("md_formula")
    assert isinstance(formula, Latex) and formula.data == "$-0.5$"
    ratio = glued("ratio")
    assert isinstance(ratio, Latex) and ratio.data == r"$9.4\times 10^{15}$"
    block = glued("block")
    assert isinstance(block, Math) and block.data == r"\delta = 1"


def test_glued_table_prints_every_kept_value_as_json(capsys, monkeypatch):
    import json

    from IPython.display import Latex

    from dlmath import present

    monkeypatch.setattr(present, "_GLUED", {})
    monkeypatch.setattr(present, "_VARIES", set())
    glue("p", 0.19661193324148188)
    glue("words", "never goes up")
    present.glue_math("ratio", 9.444764837754866e15, ".1e")
    present.glued_table()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [{"p": {"kind": "float", "value": 0.196612}},
                     {"words": {"kind": "str", "value": "never goes up"}},
                     {"ratio": {"kind": "Latex", "data": r"$9.4\times 10^{15}$"}}]
    assert isinstance(present._GLUED["ratio"], Latex)
    # a timing: listed without its value (it differs from run to run), and still shown by glued()
    glue("seconds", 12.3456, varies=True)
    present.glued_table()
    assert json.loads(capsys.readouterr().out.splitlines()[-1]) == {"seconds": {"kind": "float", "varies": True}}
    assert present.glued("seconds", ".0f") == "12"
    glue("seconds", 12.3456)  # glued again without varies: a plain value again
    present.glued_table()
    assert json.loads(capsys.readouterr().out.splitlines()[-1]) == {"seconds": {"kind": "float", "value": 12.3456}}
    glue("odd", object())
    with pytest.raises(ShapeError, match="^glued_table: 'odd' holds a object, which the book cannot store"):
        present.glued_table()


def test_read_glued_table_gives_back_what_glued_table_printed(capsys, monkeypatch):
    from IPython.display import Latex, Markdown, Math

    from dlmath import present

    monkeypatch.setattr(present, "_GLUED", {})
    monkeypatch.setattr(present, "_VARIES", set())
    glue("p", 0.19661193324148188)
    glue("n", np.int64(512))
    glue("words", "never goes up")
    glue("md", Markdown("pad 0: 13×13"))
    glue("block", Math(r"\delta = 1"))
    glue("seconds", 12.3456, varies=True)
    present.glue_math("ratio", 9.444764837754866e15, ".1e")
    present.glued_table()
    values, varies = present.read_glued_table(capsys.readouterr().out)
    assert varies == {"seconds"}
    assert {k: v for k, v in values.items() if k not in ("md", "block", "ratio")} == {
        "p": 0.196612, "n": 512, "words": "never goes up"}
    assert type(values["n"]) is int
    assert type(values["md"]) is Markdown and values["md"].data == "pad 0: 13×13"
    assert type(values["block"]) is Math and values["block"].data == r"\delta = 1"
    assert type(values["ratio"]) is Latex and values["ratio"].data == r"$9.4\times 10^{15}$"


@pytest.mark.parametrize("text", ["x", "[1]", "{}", '{"a": 1}', '{"a": {"kind": "float"}}',
                                  '{"a": {"kind": "float", "value": 1}, "b": {"kind": "float", "value": 2}}'])
def test_read_glued_table_names_a_line_it_cannot_read(text):
    from dlmath.present import read_glued_table

    with pytest.raises(ShapeError, match="^read_glued_table: line 1 is not one glued_table"):
        read_glued_table(text)


@pytest.mark.parametrize(("name", "fmt", "match"), [
    ("never_glued_here", "", "nothing is glued as 'never_glued_here' in this kernel: run the cell"),
    ("p", ".2q", "'.2q' is not a format for 'p'"),
    ("p", 4, "fmt must be a format string"),
    ("ratio", ".2f", "'ratio' is a Latex object, which takes no format"),
    ("has space", "", "name must be a glue key"),
])
def test_glued_names_the_problem(name, fmt, match):
    from dlmath.present import glue_math, glued

    glue("p", 0.5)
    glue_math("ratio", 2.0)
    with pytest.raises(ShapeError, match="^glued: " + match):
        glued(name, fmt)


@pytest.mark.parametrize(("x", "fmt", "tex"), [
    (9.444e15, ".1e", r"9.4\times 10^{15}"),      # the deep chapter's "9.4e+15 times smaller"
    (4e-13, ".1e", r"4.0\times 10^{-13}"),
    (1e-7, ".0e", "10^{-7}"),
    (-0.19661193324148188, ".4f", "-0.1966"),     # a TeX minus, not a hyphen in the text font
    (1234567.0, ",.0f", "1{,}234{,}567"),         # {,} keeps TeX from spacing the separators
    (0.5, ".1%", r"50.0%"),
    (math.inf, ".2f", r"\infty"),
])
def test_tex_number_writes_numbers_as_tex(x, fmt, tex):
    from dlmath.present import tex_number

    assert tex_number(x, fmt) == tex


@pytest.mark.parametrize(("x", "fmt", "match"), [
    ("1", ".2f", "x must be a real number"), (1.0, 2, "fmt must be a format string"),
    (1.0, ".2q", "'.2q' is not a format for a float"),
])
def test_tex_number_refuses_bad_input(x, fmt, match):
    from dlmath.present import tex_number

    with pytest.raises(ShapeError, match="tex_number: " + match):
        tex_number(x, fmt)


def test_glue_math_glues_an_inline_formula():
    from dlmath import present

    present.glue_math("ratio", 9.444764837754866e15, ".1e")
    assert present._GLUED["ratio"].data == r"$9.4\times 10^{15}$"


@pytest.mark.parametrize("bad", [None, 3, "has space", ""])
def test_glue_and_glue_math_refuse_a_bad_key(bad):
    from dlmath.present import glue_math

    with pytest.raises(ShapeError, match="^glue: name must be a glue key"):
        glue(bad, 1.0)
    with pytest.raises(ShapeError, match="^glue_math: name must be a glue key"):
        glue_math(bad, 1.0)


def test_glue_and_glue_math_name_themselves_for_bad_values():
    from dlmath.present import glue_math

    with pytest.raises(ShapeError, match="^glue: display must be True or False"):
        glue("k", 1.0, display="False")
    with pytest.raises(ShapeError, match="^glue: varies must be True or False"):
        glue("k", 1.0, varies=1)
    with pytest.raises(ShapeError, match="^glue: significant: digits must be an int from 1 to 17"):
        glue("k", 1.0, digits=0)
    with pytest.raises(ShapeError, match="^glue_math: tex_number: x must be a real number"):
        glue_math("k", "1.0")
