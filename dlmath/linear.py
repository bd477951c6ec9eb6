r"""The affine layer :math:`Z = W A_{prev} + b` (chapter "Deep L-layer networks").

Examples are columns: ``A_prev`` (n_prev, m), ``W`` (n, n_prev), ``b`` (n, 1), ``Z`` (n, m).
``linear_backward`` does not divide by m: the loss's gradient already carries the 1/m.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .errors import ShapeError, as_array, check_bool, check_cache, check_finite_result

_RULE = "W must be (n, n_prev), A_prev (n_prev, m) and b (n, 1)"
_OVERFLOW = "the numbers are too large for float64; scale the inputs or the weights down"


class LinearCache(NamedTuple):
    """What ``linear_backward`` needs: the layer's input and parameters."""

    A_prev: np.ndarray
    W: np.ndarray
    b: np.ndarray


def linear_forward(A_prev, W, b) -> tuple[np.ndarray, LinearCache]:
    r"""Forward pass of an affine layer.

    .. math:: Z = W A_{prev} + b

    Parameters
    ----------
    A_prev : ndarray, shape (n_prev, m)
    W : ndarray, shape (n, n_prev)
    b : ndarray, shape (n, 1)

    Returns
    -------
    Z : (n, m); cache : LinearCache(A_prev, W, b)
    """
    f = "linear_forward"
    A_prev = as_array(f, "A_prev", A_prev, 2)
    W = as_array(f, "W", W, 2)
    b = as_array(f, "b", b)
    if W.shape[1] != A_prev.shape[0]:
        raise ShapeError(
            f"{f}: W has {W.shape[1]} columns but A_prev has {A_prev.shape[0]} rows "
            f"(W {W.shape}, A_prev {A_prev.shape}); {_RULE}"
        )
    if b.shape != (W.shape[0], 1):
        raise ShapeError(f"{f}: b must be ({W.shape[0]}, 1) to match W's rows (W {W.shape}, b {b.shape}); {_RULE}")
    Z = check_finite_result(f, "Z = W A_prev + b", W @ A_prev + b, _OVERFLOW)
    return Z, LinearCache(A_prev, W, b)


def linear_backward(
    dZ, cache: LinearCache, *, need_dA_prev: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    r"""Backward pass of :math:`Z = W A_{prev} + b` (chapter "Deep L-layer networks").

    .. math:: dW = dZ\,A_{prev}^\top,\quad db = \textstyle\sum_j dZ_{:,j},\quad dA_{prev} = W^\top dZ

    Parameters
    ----------
    dZ : ndarray, shape (n, m)
    cache : LinearCache(A_prev, W, b)
    need_dA_prev : False for a first layer, whose input is data: the gradient w.r.t. the data is
        then not computed (one matrix product of n * n_prev * m multiply-adds saved) and is None.

    Returns
    -------
    dA_prev : (n_prev, m) or None; dW : (n, n_prev); db : (n, 1)
    """
    f = "linear_backward"
    check_cache(f, cache, LinearCache, "linear_forward")
    need_dA_prev = check_bool(f, "need_dA_prev", need_dA_prev)
    dZ = as_array(f, "dZ", dZ, 2)
    A_prev, W = as_array(f, "cache.A_prev", cache.A_prev, 2), as_array(f, "cache.W", cache.W, 2)
    n, m = W.shape[0], A_prev.shape[1]
    if dZ.shape != (n, m):
        raise ShapeError(
            f"{f}: dZ must have the shape of Z, (n, m) = ({n}, {m}) "
            f"(dZ {dZ.shape}, W {W.shape}, A_prev {A_prev.shape})"
        )
    dA_prev = W.T @ dZ if need_dA_prev else None
    dW = dZ @ A_prev.T
    db = dZ.sum(axis=1, keepdims=True)
    for name, g in (("dA_prev", dA_prev), ("dW", dW), ("db", db)):
        if g is not None:
            check_finite_result(f, name, g, _OVERFLOW)
    return dA_prev, dW, db
