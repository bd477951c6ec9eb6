r"""TestNet 3-4-2 and the input-scaling experiment (chapter "TestNet", after seed 000).

TestNet (seed ``000_4a358cd969547fcd.txt``): 3 inputs -> 4 ReLU hidden units -> 2 linear outputs ->
softmax score -> cross-entropy.  Examples are columns: ``X`` (3, m), ``W1`` (4, 3), ``b1`` (4, 1),
``W2`` (2, 4), ``b2`` (2, 1).  The network is *assembled* from the core layer functions
(:func:`~dlmath.linear.linear_forward`, :func:`~dlmath.activations.relu_forward`, ...); nothing here
re-derives a layer.

:func:`gradient_norms_vs_scale` shows why inputs must be scaled: :math:`\partial J/\partial W^{(1)} =
\delta^{(1)} x^\top` grows with the input.  Training on raw vs standardized inputs, and the explorer, are in
:mod:`dlmath.scaling`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import ActivationCache, relu_backward, relu_forward
from .errors import ShapeError, as_array, check_cache, check_learning_rate, describe, reraise_as
from .linear import LinearCache, linear_backward, linear_forward
from .losses import softmax_cross_entropy

SHAPES = {"W1": (4, 3), "b1": (4, 1), "W2": (2, 4), "b2": (2, 1)}


class TestNetParams(NamedTuple):
    """The learnable parameters: W1 (4, 3), b1 (4, 1), W2 (2, 4), b2 (2, 1)."""

    __test__ = False  # not a pytest test class
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray


class TestNetCache(NamedTuple):
    """The caches of the three blocks, in forward order."""

    __test__ = False
    lin1: LinearCache
    act1: ActivationCache
    lin2: LinearCache


class TestNetGrads(NamedTuple):
    """Every gradient of the backward pass, in the order seed 000 computes them."""

    __test__ = False
    dZ2: np.ndarray
    dW2: np.ndarray
    db2: np.ndarray
    dA1: np.ndarray
    dZ1: np.ndarray
    dW1: np.ndarray
    db1: np.ndarray


def check_params(func: str, params: TestNetParams) -> TestNetParams:
    """Return ``params`` as float64 arrays, raising :class:`ShapeError` unless they have TestNet's shapes."""
    if not isinstance(params, tuple | list) or len(params) != len(SHAPES):
        got = len(params) if isinstance(params, tuple | list) else describe(params)
        raise ShapeError(f"{func}: params must be the 4 arrays (W1, b1, W2, b2), got {got}")
    arrays = [as_array(func, name, value, 2) for name, value in zip(SHAPES, params, strict=True)]
    for (name, shape), arr in zip(SHAPES.items(), arrays, strict=True):
        if arr.shape != shape:
            raise ShapeError(f"{func}: TestNet needs {name} of shape {shape} (got {name} {arr.shape})")
    return TestNetParams(*arrays)


def check_x(func: str, X) -> np.ndarray:
    """TestNet reads 3 inputs per example: X must be (3, m), examples as columns."""
    X = as_array(func, "X", X, 2)
    if X.shape[0] != 3:
        raise ShapeError(f"{func}: X must be (3, m), one example of 3 inputs per column (X {X.shape})")
    return X


def check_grads(func: str, grads) -> TestNetGrads:
    """``grads`` must be the TestNetGrads of :func:`testnet_loss_and_grads`, finite, shaped like the parameters."""
    check_cache(func, grads, TestNetGrads, "testnet_loss_and_grads", "grads")
    arrays = {name: as_array(func, name, getattr(grads, name)) for name in TestNetGrads._fields}
    for name, shape in SHAPES.items():
        if arrays[f"d{name}"].shape != shape:
            raise ShapeError(f"{func}: d{name} must have the shape of {name} ({name} {shape}, "
                             f"d{name} {arrays[f'd{name}'].shape})")
    return TestNetGrads(**arrays)


def testnet_example() -> tuple[np.ndarray, np.ndarray, TestNetParams]:
    """The hand-followable example of the chapter: one input, its one-hot label and the weights.

    Hidden unit 4 is inactive (:math:`z^{(1)}_4 < 0`) and the net prefers the wrong class.

    Returns
    -------
    x : (3, 1); y : (2, 1) one-hot, class 1 (index 0); params : TestNetParams
    """
    x = np.array([[1.0], [2.0], [0.5]])
    y = np.array([[1.0], [0.0]])
    W1 = np.array([[0.2, -0.1, 0.4], [0.5, 0.3, -0.2], [-0.3, 0.2, 0.1], [0.1, -0.4, 0.3]])
    b1 = np.array([[0.1], [-0.1], [0.0], [0.2]])
    W2 = np.array([[0.3, -0.2, 0.5, 0.1], [-0.4, 0.6, 0.2, -0.3]])
    b2 = np.array([[0.05], [-0.05]])
    return x, y, TestNetParams(W1, b1, W2, b2)


def testnet_forward(X, params: TestNetParams) -> tuple[np.ndarray, TestNetCache]:
    r"""Forward pass up to the logits.

    .. math:: z^{(1)} = W^{(1)} x + b^{(1)},\quad a^{(1)} = \max(0, z^{(1)}),\quad z^{(2)} = W^{(2)} a^{(1)} + b^{(2)}

    Parameters
    ----------
    X : ndarray, shape (3, m)
    params : TestNetParams

    Returns
    -------
    Z2 : (2, m) logits; cache : TestNetCache(lin1, act1, lin2)
    """
    X = check_x("testnet_forward", X)
    params = check_params("testnet_forward", params)
    with reraise_as("testnet_forward"):  # overflow
        Z1, lin1 = linear_forward(X, params.W1, params.b1)
        A1, act1 = relu_forward(Z1)
        Z2, lin2 = linear_forward(A1, params.W2, params.b2)
    return Z2, TestNetCache(lin1, act1, lin2)


def testnet_backward(dZ2, cache: TestNetCache) -> TestNetGrads:
    r"""Backward pass from :math:`\delta^{(2)} = \partial J/\partial z^{(2)}`, in seed 000's order.

    .. math:: dW^{(2)} = \delta^{(2)} a^{(1)\top},\ db^{(2)} = \delta^{(2)},\ da^{(1)} = W^{(2)\top}\delta^{(2)},\
              \delta^{(1)} = da^{(1)} \odot \mathbb 1[z^{(1)} > 0],\ dW^{(1)} = \delta^{(1)} x^\top,\
              db^{(1)} = \delta^{(1)}

    (for m columns the bias gradients sum over the columns).

    Parameters
    ----------
    dZ2 : ndarray, shape (2, m)
    cache : TestNetCache from :func:`testnet_forward`

    Returns
    -------
    TestNetGrads(dZ2 (2, m), dW2 (2, 4), db2 (2, 1), dA1 (4, m), dZ1 (4, m), dW1 (4, 3), db1 (4, 1))
    """
    f = "testnet_backward"
    check_cache(f, cache, TestNetCache, "testnet_forward")
    dZ2 = as_array(f, "dZ2", dZ2, 2)
    m = np.shape(cache.lin2.A_prev)[1]
    if dZ2.shape != (2, m):
        raise ShapeError(f"{f}: dZ2 must have the shape of the logits Z2, (2, m) = (2, {m}) (dZ2 {dZ2.shape})")
    with reraise_as(f):
        dA1, dW2, db2 = linear_backward(dZ2, cache.lin2)
        dZ1 = relu_backward(dA1, cache.act1)
        _, dW1, db1 = linear_backward(dZ1, cache.lin1)
    return TestNetGrads(dZ2.copy(), dW2, db2, dA1, dZ1, dW1, db1)  # a copy: the caller's dZ2 is not shared


def testnet_loss_and_grads(X, Y, params: TestNetParams) -> tuple[float, TestNetGrads]:
    r"""Mean softmax cross-entropy of TestNet on ``(X, Y)`` and all its gradients.

    .. math:: J = -\frac1m\sum_j y_j^\top \log \mathrm{softmax}(z^{(2)}_j),\quad \delta^{(2)} = \frac{P - Y}{m}

    Parameters
    ----------
    X : ndarray, shape (3, m)
    Y : one-hot (2, m) or integer labels (m,)
    params : TestNetParams

    Returns
    -------
    loss : float; grads : TestNetGrads
    """
    f = "testnet_loss_and_grads"
    X, params = check_x(f, X), check_params(f, params)
    with reraise_as(f):
        Z2, cache = testnet_forward(X, params)
    with reraise_as(f, "Y"):
        loss, dZ2 = softmax_cross_entropy(Z2, Y)
    with reraise_as(f):
        return loss, testnet_backward(dZ2, cache)


def sgd_step(params: TestNetParams, grads: TestNetGrads, lr: float) -> TestNetParams:
    r"""One gradient-descent step, :math:`\theta \leftarrow \theta - \alpha\,\partial J/\partial\theta` (new arrays).

    Each gradient must have its parameter's shape (no broadcasting); ``lr`` must be finite and >= 0."""
    params = check_params("sgd_step", params)
    lr = check_learning_rate("sgd_step", lr)
    grads = check_grads("sgd_step", grads)
    return TestNetParams(
        params.W1 - lr * grads.dW1, params.b1 - lr * grads.db1, params.W2 - lr * grads.dW2, params.b2 - lr * grads.db2
    )


def gradient_norms(grads: TestNetGrads) -> np.ndarray:
    r"""Frobenius norms :math:`(\|dW^{(1)}\|, \|db^{(1)}\|, \|dW^{(2)}\|, \|db^{(2)}\|)`, shape (4,)."""
    grads = check_grads("gradient_norms", grads)
    return np.array([_norm(g) for g in (grads.dW1, grads.db1, grads.dW2, grads.db2)])


def _norm(g: np.ndarray) -> float:
    """Frobenius norm; when the squares overflow (entries near 1e300) it is max|g| * ||g / max|g|||."""
    with np.errstate(over="ignore"):
        norm = float(np.linalg.norm(g))
    if np.isfinite(norm):
        return norm
    big = np.abs(g).max()
    return float(big * np.linalg.norm(g / big))


def gradient_norms_vs_scale(X, Y, params: TestNetParams, scales) -> np.ndarray:
    r"""Gradient norms per layer when the input is multiplied by each scale s: rows are
    :func:`gradient_norms` of the loss at :math:`s X`.

    Returns
    -------
    norms : (len(scales), 4), columns ||dW1||, ||db1||, ||dW2||, ||db2||
    """
    f = "gradient_norms_vs_scale"
    X, params = check_x(f, X), check_params(f, params)
    scales = as_array(f, "scales", scales, 1)
    rows = []
    for s in scales:
        with reraise_as(f, f"scale {s:g}"):
            rows.append(gradient_norms(testnet_loss_and_grads(s * X, Y, params)[1]))
    return np.array(rows).reshape(-1, 4)
