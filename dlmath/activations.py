r"""Elementwise activations and the column-wise softmax (chapters "Jacobians" and "TestNet").

Each activation is a pair ``*_forward(Z) -> (A, cache)`` and ``*_backward(dA, cache) -> dZ``;
the backward is the exact vector-Jacobian product of the forward, i.e. ``dZ = dA * g'(Z)``
because the Jacobian of an elementwise function is diagonal.  Conventions: ReLU'(0) = 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .errors import ShapeError, as_array, check_cache, describe, same_shape


class ActivationCache(NamedTuple):
    """What an activation's backward needs: its input ``Z``, its output ``A`` and the name of the forward
    that made it (``producer``), so that a backward given another activation's cache refuses it instead of
    returning a wrong gradient.  A cache built by hand, ``ActivationCache(Z, A)``, has no producer: its
    backward then checks that ``A = g(Z)``."""

    Z: np.ndarray
    A: np.ndarray
    producer: str = ""


def check_activation_backward(func: str, dA, cache, producer: str, g) -> np.ndarray:
    """Validate ``(dA, cache)`` for the backward ``func`` of the activation ``g`` made by ``producer``."""
    check_cache(func, cache, ActivationCache, producer)
    if cache.producer and cache.producer != producer:
        raise ShapeError(f"{func}: cache: expected the ActivationCache from {producer}, got {describe(cache)}; "
                         f"call the backward of the activation that made the cache")
    dA = as_array(func, "dA", dA)
    Z = as_array(func, "cache.Z", cache.Z)
    same_shape(func, "dA", dA, "cache.Z", Z)
    if not cache.producer:  # built by hand: make sure it is this activation's cache
        A = as_array(func, "cache.A", cache.A)
        same_shape(func, "cache.A", A, "cache.Z", Z)
        if not np.allclose(g(Z), A, rtol=1e-12, atol=1e-15):
            raise ShapeError(f"{func}: cache.A is not {producer.removesuffix('_forward')}(cache.Z); expected the "
                             f"ActivationCache from {producer}")
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
    return A, ActivationCache(Z, A, "relu_forward")


def relu_backward(dA, cache: ActivationCache) -> np.ndarray:
    r""":math:`dZ = dA \odot \mathbb{1}[Z > 0]` (ReLU'(0) is taken to be 0).

    Returns
    -------
    dZ : same shape as dA
    """
    dA = check_activation_backward("relu_backward", dA, cache, "relu_forward", lambda Z: np.maximum(Z, 0.0))
    return dA * (cache.Z > 0)


def sigmoid(Z) -> np.ndarray:
    r"""Logistic function :math:`\sigma(z) = 1/(1+e^{-z})`, without overflow at any finite z (NaN is refused)."""
    Z = as_array("sigmoid", "Z", Z)
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
    return A, ActivationCache(Z, A, "sigmoid_forward")


def sigmoid_backward(dA, cache: ActivationCache) -> np.ndarray:
    r""":math:`dZ = dA \odot \sigma(Z)(1-\sigma(Z))`.

    Returns
    -------
    dZ : same shape as dA
    """
    dA = check_activation_backward("sigmoid_backward", dA, cache, "sigmoid_forward", sigmoid)
    return dA * cache.A * (1.0 - cache.A)


def tanh_forward(Z) -> tuple[np.ndarray, ActivationCache]:
    r"""Hyperbolic tangent, :math:`A = \tanh(Z)` elementwise.

    Returns
    -------
    A : same shape as Z; cache : ActivationCache(Z, A)
    """
    Z = as_array("tanh_forward", "Z", Z)
    A = np.tanh(Z)
    return A, ActivationCache(Z, A, "tanh_forward")


def tanh_backward(dA, cache: ActivationCache) -> np.ndarray:
    r""":math:`dZ = dA \odot (1 - \tanh^2 Z)`.

    Returns
    -------
    dZ : same shape as dA
    """
    dA = check_activation_backward("tanh_backward", dA, cache, "tanh_forward", np.tanh)
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


def identity_forward(Z) -> tuple[np.ndarray, ActivationCache]:
    r"""The identity activation :math:`A = Z` (an output layer that emits logits)."""
    Z = as_array("identity_forward", "Z", Z)
    A = Z.copy()  # a copy: an in-place edit of A must not change the caller's Z
    return A, ActivationCache(Z, A, "identity_forward")


def identity_backward(dA, cache: ActivationCache) -> np.ndarray:
    r""":math:`dZ = dA` (a copy, so the caller's array is never shared)."""
    return check_activation_backward("identity_backward", dA, cache, "identity_forward", lambda Z: Z).copy()


ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "relu": (relu_forward, relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "identity": (identity_forward, identity_backward),
}
