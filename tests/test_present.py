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


def test_glue_rounds_floats_and_passes_the_rest(monkeypatch):
    import myst_nb

    seen = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: seen.__setitem__(name, (value, display)))
    glue("f", 1.9980473890474035)
    glue("npf", np.float64(17.997146189265006))
    glue("npi", np.int64(512))
    glue("b", np.bool_(True))
    glue("s", "(0.1, 0.2)")
    glue("shown", 0.5, display=True, digits=2)
    glue("flops", 6444550017.0)  # a whole number is exact on every machine: all its digits are kept
    assert seen["f"] == (1.99805, False)
    assert seen["npf"] == (17.9971, False) and type(seen["npf"][0]) is float
    assert seen["npi"] == (512, False) and type(seen["npi"][0]) is int
    assert seen["b"] == (True, False) and type(seen["b"][0]) is bool
    assert seen["s"] == ("(0.1, 0.2)", False)
    assert seen["shown"] == (0.5, True)
    assert seen["flops"] == (6444550017.0, False)


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


def test_glue_math_glues_an_inline_formula(monkeypatch):
    import myst_nb

    from dlmath.present import glue_math

    seen = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: seen.__setitem__(name, (value, display)))
    glue_math("ratio", 9.444764837754866e15, ".1e")
    value, display = seen["ratio"]
    assert value.data == r"$9.4\times 10^{15}$" and display is False


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
    with pytest.raises(ShapeError, match="^glue: significant: digits must be an int from 1 to 17"):
        glue("k", 1.0, digits=0)
    with pytest.raises(ShapeError, match="^glue_math: tex_number: x must be a real number"):
        glue_math("k", "1.0")
