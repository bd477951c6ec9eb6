r"""Elementwise activations and the column-wise softmax (chapters "Jacobians" and "TestNet").

Each activation is a pair ``*_forward(Z) -> (A, cache)`` and ``*_backward(dA, cache) -> dZ``;
the backward is the exact vector-Jacobian product of the forward, i.e. ``dZ = dA * g'(Z)``
because the Jacobian of an elementwise function is diagonal.  Conventions: ReLU'(0) = 0.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .errors import ShapeError, as_array, same_shape


class ActivationCache(NamedTuple):
    """What an activation's backward needs: its input ``Z`` and output ``A``."""

    Z: np.ndarray
    A: np.ndarray


def _check_backward(func: str, dA, cache: ActivationCache) -> np.ndarray:
    dA = as_array(func, "dA", dA)
    same_shape(func, "dA", dA, "cache.Z", cache.Z)
    return dA


def relu_forward(Z) -> tuple[np.ndarray, ActivationCache]:
    r"""ReLU, :math:`A = \max(0, Z)` elementwise.

    Parameters
    ----------
    Z : ndarray, any shape

    Returns
    -------
    A : same shape as Z; cache : ActivationCache(Z, A)
    """
    Z = as_array("relu_forward", "Z", Z)
    A = np.maximum(Z, 0.0)
    return A, ActivationCache(Z, A)


def relu_backward(dA, cache: ActivationCache) -> np.ndarray:
    r""":math:`dZ = dA \odot \mathbb{1}[Z > 0]` (ReLU'(0) is taken to be 0).

    Returns
    -------
    dZ : same shape as dA
    """
    dA = _check_backward("relu_backward", dA, cache)
    return dA * (cache.Z > 0)


def sigmoid(Z: np.ndarray) -> np.ndarray:
    r"""Logistic function :math:`\sigma(z) = 1/(1+e^{-z})`, without overflow at any finite z."""
    Z = np.asarray(Z, dtype=np.float64)
    out = np.empty_like(Z)
    pos = Z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-Z[pos]))
    ez = np.exp(Z[~pos])  # z < 0, so exp(z) < 1: no overflow
    out[~pos] = ez / (1.0 + ez)
    return out


def sigmoid_forward(Z) -> tuple[np.ndarray, ActivationCache]:
    r"""Sigmoid, :math:`A = \sigma(Z)` elementwise.

    Parameters
    ----------
    Z : ndarray, any shape

    Returns
    -------
    A : same shape as Z, in [0, 1]; cache : ActivationCache(Z, A)
    """
    Z = as_array("sigmoid_forward", "Z", Z)
    A = sigmoid(Z)
    return A, ActivationCache(Z, A)


def sigmoid_backward(dA, cache: ActivationCache) -> np.ndarray:
    r""":math:`dZ = dA \odot \sigma(Z)(1-\sigma(Z))`.

    Returns
    -------
    dZ : same shape as dA
    """
    dA = _check_backward("sigmoid_backward", dA, cache)
    return dA * cache.A * (1.0 - cache.A)


def tanh_forward(Z) -> tuple[np.ndarray, ActivationCache]:
    r"""Hyperbolic tangent, :math:`A = \tanh(Z)` elementwise.

    Returns
    -------
    A : same shape as Z; cache : ActivationCache(Z, A)
    """
    Z = as_array("tanh_forward", "Z", Z)
    A = np.tanh(Z)
    return A, ActivationCache(Z, A)


def tanh_backward(dA, cache: ActivationCache) -> np.ndarray:
    r""":math:`dZ = dA \odot (1 - \tanh^2 Z)`.

    Returns
    -------
    dZ : same shape as dA
    """
    dA = _check_backward("tanh_backward", dA, cache)
    return dA * (1.0 - cache.A**2)


def softmax(Z) -> np.ndarray:
    r"""Column-wise softmax, :math:`p_{ij} = e^{z_{ij}} / \sum_k e^{z_{kj}}`.

    Computed as ``exp(Z - max)`` so logits of +/-1000 neither overflow nor give NaN.

    Parameters
    ----------
    Z : ndarray, shape (k,) for one example or (k, m) with examples as columns

    Returns
    -------
    P : same shape as Z; every column sums to 1
    """
    Z = as_array("softmax", "Z", Z)
    if Z.ndim not in (1, 2):
        raise ShapeError(f"softmax: Z must be (k,) or (k, m) with examples as columns (Z {Z.shape})")
    if Z.shape[0] == 0:
        raise ShapeError(f"softmax: Z needs at least one class (row) to normalise over (Z {Z.shape})")
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)

