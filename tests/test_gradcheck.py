"""Finite differences against functions whose derivatives are known in closed form."""

import numpy as np
import pytest

from dlmath import ShapeError, gradient_check, numerical_gradient, numerical_jacobian, relative_error


def test_numerical_gradient_of_a_quadratic():
    # f(x) = sum(x^3) + x0*x1 has gradient 3x^2 + (x1, x0, 0): exact formula, independent of the code.
    x = np.array([1.0, -2.0, 0.5])
    num = numerical_gradient(lambda v: float(np.sum(v**3) + v[0] * v[1]), x)
    np.testing.assert_allclose(num, [3 - 2, 12 + 1, 0.75], rtol=1e-9)
    np.testing.assert_array_equal(x, [1.0, -2.0, 0.5])  # x is not modified


def test_numerical_jacobian_shape_and_values():
    # y = (x0 * x1, sin x2): J = [[x1, x0, 0], [0, 0, cos x2]], shape (out, in) = (2, 3).
    x = np.array([2.0, 3.0, 0.3])
    J = numerical_jacobian(lambda v: np.array([v[0] * v[1], np.sin(v[2])]), x)
    assert J.shape == (2, 3)
    np.testing.assert_allclose(J, [[3.0, 2.0, 0.0], [0.0, 0.0, np.cos(0.3)]], atol=1e-9)


def test_numerical_jacobian_of_matrix_input_reads_c_order():
    X = np.arange(6.0).reshape(2, 3)
    J = numerical_jacobian(lambda v: 2 * v, X)
    np.testing.assert_allclose(J, 2 * np.eye(6), atol=1e-9)


def test_gradient_check_passes_and_fails():
    x = np.array([[0.5, -1.5]])
    good = gradient_check(lambda v: float(np.sum(np.exp(v))), x, np.exp(x))
    assert good.passed and good.rel_error < 1e-8
    bad = gradient_check(lambda v: float(np.sum(np.exp(v))), x, 1.01 * np.exp(x))
    assert not bad.passed and bad.rel_error == pytest.approx(0.01 / 2.01, rel=1e-5)
    assert "FAILED" in repr(bad) and "passed" in repr(good)


def test_relative_error_is_a_whole_array_norm():
    assert relative_error(np.array([3.0, 4.0]), np.array([3.0, 4.0])) == 0.0
    # ||(0, 1)|| / (||(3,4)|| + ||(3,5)||) by hand
    assert relative_error(np.array([3.0, 4.0]), np.array([3.0, 5.0])) == pytest.approx(1 / (5 + np.sqrt(34)))
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0


def test_errors():
    with pytest.raises(ShapeError, match=r"numerical_gradient: f must return a scalar \(got shape \(2,\)\)"):
        numerical_gradient(lambda v: v, np.ones(2))
    with pytest.raises(ShapeError, match=r"relative_error: arrays must have the same shape \(a \(2,\), b \(3,\)\)"):
        relative_error(np.ones(2), np.ones(3))
    with pytest.raises(ShapeError, match=r"gradient_check: analytic and x must have the same shape"):
        gradient_check(lambda v: float(v.sum()), np.ones(2), np.ones(3))
    with pytest.raises(ShapeError, match="numerical_gradient: x contains 1 NaN"):
        numerical_gradient(lambda v: float(v.sum()), np.array([np.nan]))


@pytest.mark.parametrize("eps", [0.0, -1e-6, float("nan"), "small"])
def test_a_bad_step_is_a_shape_error_not_a_division_by_zero(eps):
    with pytest.raises(ShapeError, match="numerical_gradient: eps must be a positive finite step"):
        numerical_gradient(lambda v: float(v.sum()), np.ones(2), eps=eps)
    with pytest.raises(ShapeError, match="numerical_jacobian: eps must be a positive finite step"):
        numerical_jacobian(lambda v: v, np.ones(2), eps=eps)
    with pytest.raises(ShapeError, match="gradient_check: eps must be a positive finite step"):
        gradient_check(lambda v: float(v.sum()), np.ones(2), np.ones(2), eps=eps)


def test_numerical_jacobian_rejects_an_output_whose_size_changes():
    # f returns 1 value for x0 > 0 and 2 otherwise: the Jacobian does not exist as one matrix.
    def f(v):
        return v[:1] if v[0] > 0 else v

    with pytest.raises(ShapeError, match="numerical_jacobian: f must return an array of the same size"):
        numerical_jacobian(f, np.array([0.0, 1.0]))


def test_numerical_gradient_step_is_central():
    # f(x) = x^3 at x = 1 with eps = 0.1: central difference ((1.1)^3 - (0.9)^3) / 0.2 = 3 + eps^2 = 3.01
    # (a forward difference would give 3.31): the O(eps^2) error term by hand.
    assert numerical_gradient(lambda v: float(v[0] ** 3), np.array([1.0]), eps=0.1)[0] == pytest.approx(3.01)


# ---- issue 15: NaN never passes through a check -----------------------------------------------------------


def test_nan_from_f_or_in_an_argument_is_an_error_not_a_nan_result():
    with pytest.raises(ShapeError, match=r"numerical_gradient: f\(x\) with x\[0\] moved by \+eps must be a finite number"):
        numerical_gradient(lambda v: float("nan"), np.ones(2))
    with pytest.raises(ShapeError, match=r"gradient_check: f\(x\) with x\[0\] moved by \+eps must be a finite number"):
        gradient_check(lambda v: float("nan"), np.ones(2), np.ones(2))
    with pytest.raises(ShapeError, match=r"numerical_jacobian: f\(x\) with x\[0\] moved by \+eps contains 1 NaN"):
        numerical_jacobian(lambda v: np.array([np.nan, 1.0]), np.ones(2))
    with pytest.raises(ShapeError, match=r"relative_error: a contains 1 NaN"):
        relative_error([np.nan], [1.0])
    with pytest.raises(ShapeError, match=r"numerical_gradient: f must be a function \(got NoneType\)"):
        numerical_gradient(None, np.ones(2))


@pytest.mark.parametrize("tol", [None, float("nan"), 0.0, -1.0, "1e-7"])
def test_gradient_check_refuses_a_tolerance_that_could_never_pass_or_fail(tol):
    with pytest.raises(ShapeError, match=r"gradient_check: tol must be a finite real number > 0"):
        gradient_check(lambda v: float(v @ v), np.ones(2), 2 * np.ones(2), tol=tol)
