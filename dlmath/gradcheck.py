r"""Finite differences: the referee for every backward pass (chapter "Jacobians").

Central differences :math:`\frac{f(x+\epsilon e_i) - f(x-\epsilon e_i)}{2\epsilon}` have error
:math:`O(\epsilon^2)`; with float64 and :math:`\epsilon = 10^{-6}` they agree with a correct
analytic gradient of a smooth function to about 1e-8 relative error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .errors import ShapeError, as_array, check_callable, check_finite_number, check_tolerance, same_shape


def _check_eps(func: str, eps) -> float:
    """The finite-difference step must be a positive finite number (eps = 0 would divide by zero)."""
    try:
        e = float(eps)
    except (TypeError, ValueError):
        e = float("nan")
    if not (np.isfinite(e) and e > 0):
        raise ShapeError(f"{func}: eps must be a positive finite step (got {eps!r})")
    return e


def numerical_gradient(f: Callable[[np.ndarray], float], x, eps: float = 1e-6) -> np.ndarray:
    r"""Central-difference gradient of a scalar function of an array.

    .. math:: g_i = \frac{f(x + \epsilon e_i) - f(x - \epsilon e_i)}{2\epsilon}

    Parameters
    ----------
    f : callable taking an array shaped like x and returning a number
    x : ndarray, any shape (not modified)
    eps : step

    Returns
    -------
    grad : ndarray, same shape as x
    """
    return _numerical_gradient("numerical_gradient", f, x, eps)


def _numerical_gradient(func: str, f, x, eps) -> np.ndarray:
    """:func:`numerical_gradient`, with every message naming ``func`` (the function the student called)."""
    check_callable(func, "f", f)
    x = as_array(func, "x", x).copy()
    eps = _check_eps(func, eps)
    grad = np.empty_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = f(x)
        flat[i] = old - eps
        minus = f(x)
        flat[i] = old
        if np.ndim(plus) != 0 or np.ndim(minus) != 0:
            raise ShapeError(f"{func}: f must return a scalar (got shape {np.shape(plus)})")
        plus = check_finite_number(func, f"f(x) with x[{i}] moved by +eps", plus)
        minus = check_finite_number(func, f"f(x) with x[{i}] moved by -eps", minus)
        gflat[i] = (plus - minus) / (2 * eps)
    return grad


def numerical_jacobian(f: Callable[[np.ndarray], np.ndarray], x, eps: float = 1e-6) -> np.ndarray:
    r"""Central-difference Jacobian, :math:`J_{ij} = \partial y_i / \partial x_j`.

    Parameters
    ----------
    f : callable taking an array shaped like x and returning an array y
    x : ndarray, any shape (not modified); it is read in C order
    eps : step

    Returns
    -------
    J : ndarray, shape (y.size, x.size)
    """
    check_callable("numerical_jacobian", "f", f)
    x = as_array("numerical_jacobian", "x", x).copy()
    eps = _check_eps("numerical_jacobian", eps)
    flat = x.reshape(-1)
    columns = []
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = as_array("numerical_jacobian", f"f(x) with x[{i}] moved by +eps", f(x)).reshape(-1)
        flat[i] = old - eps
        minus = as_array("numerical_jacobian", f"f(x) with x[{i}] moved by -eps", f(x)).reshape(-1)
        flat[i] = old
        if plus.size != minus.size or (columns and plus.size != columns[0].size):
            raise ShapeError(
                f"numerical_jacobian: f must return an array of the same size at every point "
                f"(got sizes {columns[0].size if columns else plus.size}, {plus.size} and {minus.size})"
            )
        columns.append((plus - minus) / (2 * eps))
    if not columns:
        return np.zeros((as_array("numerical_jacobian", "f(x)", f(x)).size, 0))
    return np.stack(columns, axis=1)


def relative_error(a, b) -> float:
    r"""Relative error of two whole arrays, :math:`\lVert a-b\rVert / \max(\lVert a\rVert+\lVert b\rVert, 10^{-12})`.

    A norm over the whole array (as in the CS231n gradient checks), not per element: a tiny entry of
    a gradient carries the absolute rounding error of the whole finite difference, so an elementwise
    ratio would flag correct gradients.  Below 1e-7 is the norm for a smooth function in float64.
    """
    a = as_array("relative_error", "a", a)  # NaN would make the error NaN, and NaN < tol is False: refuse it
    b = as_array("relative_error", "b", b)
    if a.shape != b.shape:
        raise ShapeError(f"relative_error: arrays must have the same shape (a {a.shape}, b {b.shape})")
    scale = max(float(np.linalg.norm(a) + np.linalg.norm(b)), 1e-12)
    return float(np.linalg.norm(a - b)) / scale


class GradCheck(NamedTuple):
    """Result of :func:`gradient_check`: the two gradients and their relative error."""

    analytic: np.ndarray
    numeric: np.ndarray
    rel_error: float
    passed: bool

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        return f"GradCheck({verdict}: relative error {self.rel_error:.2e}, shape {self.analytic.shape})"


def gradient_check(
    f: Callable[[np.ndarray], float], x, analytic, eps: float = 1e-6, tol: float = 1e-7
) -> GradCheck:
    """Compare an analytic gradient of scalar ``f`` at ``x`` with central differences.

    Parameters
    ----------
    f : scalar function of an array shaped like x
    x : ndarray, any shape
    analytic : ndarray, same shape as x, the gradient to check
    tol : largest relative error (see :func:`relative_error`) that passes

    Returns
    -------
    GradCheck(analytic, numeric, rel_error, passed)
    """
    f_name = "gradient_check"
    check_callable(f_name, "f", f)
    x = as_array(f_name, "x", x)
    analytic = as_array(f_name, "analytic", analytic)
    same_shape(f_name, "analytic", analytic, "x", x)
    tol = check_tolerance(f_name, tol)
    numeric = _numerical_gradient(f_name, f, x, eps)
    err = relative_error(analytic, numeric)
    return GradCheck(analytic.copy(), numeric, err, err < tol)  # a copy: the result does not share the caller's array
