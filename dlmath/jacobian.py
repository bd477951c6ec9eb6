r"""Analytic Jacobians of the building blocks, for teaching (chapter "Jacobians").

Convention: the Jacobian of :math:`y = f(x)` is :math:`(J_f)_{ij} = \partial y_i / \partial x_j`, shape
(out, in), as in JAX and autograd (a bare :math:`J` is the cost in the book); a matrix argument is flattened
in C (row-major) order, like :func:`dlmath.numerical_jacobian`. These matrices are what the ``*_backward``
functions never build: for a scalar loss, :math:`\partial\mathcal{L}/\partial x` is a row and the gradient
:math:`\bar x = (\partial\mathcal{L}/\partial x)^\top` (``dx``) has the shape of x, and a backward pass
computes the vector-Jacobian product :math:`\bar x^\top = \bar y^\top J_f` directly.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import (
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    softmax,
    tanh_backward,
    tanh_forward,
)
from .errors import ShapeError, as_array, check_choice

_ACTIVATIONS = {
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "relu": (relu_forward, relu_backward),
    "tanh": (tanh_forward, tanh_backward),
}


def elementwise_jacobian(z, activation: str) -> np.ndarray:
    r"""Jacobian of :math:`a = g(z)` applied elementwise: the diagonal matrix :math:`\mathrm{diag}(g'(z))`.

    .. math:: J_g = \mathrm{diag}\big(g'(z_1), \dots, g'(z_n)\big)

    The derivatives are read off the activation's own backward with an upstream gradient of ones,
    so this helper cannot disagree with ``*_backward``.

    Parameters
    ----------
    z : ndarray, shape (n,)
    activation : "sigmoid", "relu" or "tanh"

    Returns
    -------
    J : ndarray, shape (n, n)
    """
    f = "elementwise_jacobian"
    z = as_array(f, "z", z, 1)
    check_choice(f, "activation", activation, _ACTIVATIONS)
    forward, backward = _ACTIVATIONS[activation]
    _, cache = forward(z)
    return np.diag(backward(np.ones_like(z), cache))


def softmax_jacobian(z) -> np.ndarray:
    r"""Jacobian of :math:`p = \mathrm{softmax}(z)` for one example.

    .. math:: J_{\mathrm{softmax}} = \mathrm{diag}(p) - pp^\top,\ \partial p_i/\partial z_j = p_i(\delta_{ij} - p_j)

    Parameters
    ----------
    z : ndarray, shape (k,)

    Returns
    -------
    J : ndarray, shape (k, k), symmetric, every row and column sums to 0
    """
    z = as_array("softmax_jacobian", "z", z, 1)
    p = softmax(z)
    return np.diag(p) - np.outer(p, p)


class LinearJacobians(NamedTuple):
    """The three Jacobians of :math:`z = Wa + b` for one example."""

    wrt_a: np.ndarray  # (n, n_prev), equal to W
    wrt_b: np.ndarray  # (n, n), the identity
    wrt_W: np.ndarray  # (n, n * n_prev), kron(I_n, a^T): mostly zeros


def linear_jacobians(W, a) -> LinearJacobians:
    r"""Jacobians of :math:`z = W a + b` with respect to a, b and W (W flattened row by row).

    .. math:: \frac{\partial z}{\partial a} = W,\quad \frac{\partial z}{\partial b} = I_n,\quad
              \frac{\partial z_i}{\partial W_{kj}} = \delta_{ik}\,a_j
              \ \Rightarrow\ \frac{\partial z}{\partial \mathrm{vec}(W)} = I_n \otimes a^\top

    Parameters
    ----------
    W : ndarray, shape (n, n_prev)
    a : ndarray, shape (n_prev,) or (n_prev, 1), one example

    Returns
    -------
    LinearJacobians(wrt_a (n, n_prev), wrt_b (n, n), wrt_W (n, n * n_prev))
    """
    f = "linear_jacobians"
    W = as_array(f, "W", W, 2)
    a = as_array(f, "a", a)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1 or a.shape[0] != W.shape[1]:
        raise ShapeError(
            f"{f}: a must be one example of length n_prev = {W.shape[1]}, shape (n_prev,) or (n_prev, 1) "
            f"(W {W.shape}, a {a.shape})"
        )
    n = W.shape[0]
    return LinearJacobians(W.copy(), np.eye(n), np.kron(np.eye(n), a[None, :]))


def matmul_flops(m: int, k: int, n: int) -> int:
    r"""Floating-point operations of an (m, k) @ (k, n) product, counting a multiply-add as 2.

    .. math:: \mathrm{flops} = 2\,m\,k\,n
    """
    m, k, n = (_count("matmul_flops", name, v, 0) for name, v in (("m", m), ("k", k), ("n", n)))
    return 2 * m * k * n


def _count(func: str, name: str, v, least: int) -> int:
    """``v`` as an int >= least, or a ShapeError (also for strings, None, 2.5 and bools)."""
    ok = isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)
    if not ok or not np.isfinite(v) or int(v) != v or v < least:
        kind = "non-negative" if least == 0 else "positive"
        raise ShapeError(f"{func}: {name} must be a {kind} integer (got {v!r})")
    return int(v)


def chain_flops(widths: list[int], mode: str) -> int:
    r"""Flops to push a gradient through a chain of dense maps :math:`x_{l} = W_l x_{l-1}` to a scalar.

    ``widths = [n_0, n_1, ..., n_L]`` are the sizes of :math:`x_0, \dots, x_L`, and the scalar loss
    is :math:`g^\top x_L`.  Two ways to get :math:`\partial \ell / \partial x_0`:

    - ``"vjp"``: reverse mode, :math:`\bar x_{l-1}^\top = \bar x_l^\top W_l` from l = L down to 1,
      a row vector times a matrix each time: :math:`\sum_l 2 n_l n_{l-1}`.
    - ``"jacobian"``: first form the full Jacobian :math:`W_L W_{L-1}\cdots W_1` (n_L, n_0) by
      matrix products from the left, then multiply :math:`g^\top` into it.

    Returns
    -------
    int, the number of flops
    """
    rule = "chain_flops: widths must list at least two positive integers"
    if not isinstance(widths, list | tuple | np.ndarray) or len(widths) < 2:
        raise ShapeError(f"{rule} (got {widths!r})")
    try:
        widths = [_count("chain_flops", "each width", w, 1) for w in widths]
    except ShapeError:
        raise ShapeError(f"{rule} (got {widths!r})") from None
    if mode == "vjp":
        return sum(matmul_flops(1, widths[l], widths[l - 1]) for l in range(1, len(widths)))
    check_choice("chain_flops", "mode", mode, ("vjp", "jacobian"))
    if mode == "jacobian":
        total, rows = 0, widths[-1]
        for l in range(len(widths) - 2, 0, -1):  # (n_L, n_{l}) @ (n_l, n_{l-1})
            total += matmul_flops(rows, widths[l], widths[l - 1])
        return total + matmul_flops(1, widths[-1], widths[0])
    raise ShapeError(f"chain_flops: mode must be 'vjp' or 'jacobian' (got {mode!r})")
