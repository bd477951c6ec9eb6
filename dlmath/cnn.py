r"""The convolutional network of seed 002 (chapter "Backpropagation in a convolutional network").

6x6 image -> 3 filters 3x3 (+ bias) -> 3 feature maps 4x4, sigmoid -> 2x2 max pooling -> 3x2x2
-> 3 fully connected sigmoid outputs -> squared error against one-hot targets.

Built only from tested pieces: :func:`dlmath.conv.conv2d_forward`, :func:`dlmath.conv.maxpool2d_forward`,
:func:`dlmath.activations.sigmoid_forward`, :func:`dlmath.linear.linear_forward` and
:func:`dlmath.losses.squared_error` (and their backwards).  The pooled maps are flattened in the order
(k, i, j), k the filter, and laid out with examples as *columns* for the dense output layer.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import ActivationCache, sigmoid_backward, sigmoid_forward
from .conv import Conv2dCache, MaxPool2dCache, conv2d_backward, conv2d_forward, maxpool2d_backward, maxpool2d_forward
from .errors import (
    ShapeError,
    as_array,
    check_cache,
    check_epochs,
    check_int,
    check_learning_rate,
    check_real,
    check_seed,
    describe,
    reraise_as,
)
from .linear import LinearCache, linear_backward, linear_forward
from .losses import squared_error

__all__ = ["CNNCache", "CNNParams", "cnn_backward", "cnn_forward", "cnn_loss_and_grads", "init_cnn", "one_hot",
           "predict", "train_cnn"]


class CNNParams(NamedTuple):
    """Filters ``WF`` (3, 1, 3, 3), their biases ``bF`` (3,), output weights ``WO`` (3, 12), biases ``bO`` (3, 1)."""

    WF: np.ndarray
    bF: np.ndarray
    WO: np.ndarray
    bO: np.ndarray


class CNNCache(NamedTuple):
    """Every intermediate of the forward pass (the chapter plots ``act_F.A`` and ``P``)."""

    conv: Conv2dCache
    act_F: ActivationCache  # Z^F and A^F, (m, 3, 4, 4)
    pool: MaxPool2dCache
    P: np.ndarray  # pooled maps a^P, (m, 3, 2, 2)
    lin: LinearCache  # input A^P as columns (12, m)
    act_O: ActivationCache  # Z^O and A^O, (3, m)


def init_cnn(seed: int = 0, n_filters: int = 3, n_out: int = 3, scale: float = 0.5) -> CNNParams:
    """Small random weights ``N(0, scale^2)`` and zero biases for the seed's network, from ``default_rng(seed)``."""
    rng = np.random.default_rng(check_seed("init_cnn", seed))
    n_filters, n_out = check_int("init_cnn", "n_filters", n_filters), check_int("init_cnn", "n_out", n_out)
    scale = check_real("init_cnn", "scale", scale, low=0.0, strict=True)
    return CNNParams(
        WF=scale * rng.standard_normal((n_filters, 1, 3, 3)),
        bF=np.zeros(n_filters),
        WO=scale * rng.standard_normal((n_out, n_filters * 4)),
        bO=np.zeros((n_out, 1)),
    )


def one_hot(y, k: int = 3) -> np.ndarray:
    """Integer labels (m,) in 0..k-1 -> one-hot targets T (k, m), examples as columns."""
    k = check_int("one_hot", "k (the number of classes)", k)
    as_array("one_hot", "y", y)  # refuses None, strings, complex and NaN with a clear message
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or (y.size and (y.min() < 0 or y.max() >= k)):
        raise ShapeError(f"one_hot: y must be integer labels (m,) in 0..{k - 1} (y {y.shape}, dtype {y.dtype})")
    T = np.zeros((k, y.size))
    T[y, np.arange(y.size)] = 1.0
    return T


def check_cnn_params(func: str, params) -> CNNParams:
    """The four arrays WF (F, C, 3, 3), bF (F,), WO (k, 4F), bO (k, 1), finite, as a CNNParams."""
    if not isinstance(params, tuple | list) or len(params) != 4:
        raise ShapeError(f"{func}: params must be CNNParams(WF, bF, WO, bO) from init_cnn (got {describe(params)})")
    WF, bF, WO, bO = (as_array(func, n, p, d) for n, p, d in zip(CNNParams._fields, params, (4, 1, 2, 2), strict=True))
    F = WF.shape[0]
    if WF.shape[2:] != (3, 3) or bF.shape != (F,) or WO.shape[1:] != (4 * F,) or bO.shape != (WO.shape[0], 1):
        raise ShapeError(f"{func}: params must be WF (F, C, 3, 3), bF (F,), WO (k, 4F), bO (k, 1) "
                         f"(WF {WF.shape}, bF {bF.shape}, WO {WO.shape}, bO {bO.shape})")
    return CNNParams(WF, bF, WO, bO)


def cnn_forward(params: CNNParams, X) -> tuple[np.ndarray, CNNCache]:
    r"""Forward pass: :math:`z^F = w^F \star x + b^F,\ a^F = \sigma(z^F),\ a^P = \mathrm{maxpool}(a^F),\
    z^O = W^O a^P + b^O,\ a^O = \sigma(z^O)`.

    Parameters
    ----------
    params : CNNParams
    X : ndarray, shape (m, 1, 6, 6)

    Returns
    -------
    A_O : (3, m), outputs with examples as columns; cache : CNNCache
    """
    return _forward("cnn_forward", params, X)


def _forward(f: str, params, X) -> tuple[np.ndarray, CNNCache]:
    params = check_cnn_params(f, params)
    X = as_array(f, "X", X, 4)
    C = params.WF.shape[1]
    if X.shape[0] == 0:
        raise ShapeError(f"{f}: X holds no images (X {X.shape})")
    if X.shape[1:] != (C, 6, 6):
        raise ShapeError(
            f"{f}: the seed's network reads 6x6 images with {C} channel(s), X must be (m, {C}, 6, 6) "
            f"(X {X.shape}, filters WF {params.WF.shape})"
        )
    with reraise_as(f):  # overflow
        ZF, conv_cache = conv2d_forward(X, params.WF, params.bF)
        AF, act_F = sigmoid_forward(ZF)
        P, pool_cache = maxpool2d_forward(AF, 2, 2)
        AP = P.reshape(P.shape[0], -1).T  # (12, m): unit (k, i, j) is row 4k + 2i + j
        ZO, lin_cache = linear_forward(AP, params.WO, params.bO)
        AO, act_O = sigmoid_forward(ZO)
    return AO, CNNCache(conv_cache, act_F, pool_cache, P, lin_cache, act_O)


def cnn_backward(dA_O, cache: CNNCache) -> CNNParams:
    r"""Backward pass: from :math:`\partial L/\partial a^O` (3, m) to the gradients of every parameter.

    .. math:: \delta^O = \frac{\partial L}{\partial a^O} \odot \sigma'(z^O),\quad
              \delta^F_{k,ij} = \Big(\sum_n \delta^O_n w^O_{n,k\,i'j'}\Big)\,
              \mu_{k,ij}\,\sigma'(z^F_{k,ij})

    where :math:`(i', j') = (\lfloor i/2 \rfloor, \lfloor j/2 \rfloor)` and :math:`\mu_{k,ij} = 1` if
    :math:`a^F_{k,ij}` is the *first* maximum of its window in row-major order, else 0 (the chapter's
    Theorem "Backward recursion through max pooling").

    Returns
    -------
    CNNParams of gradients, each shaped like its parameter
    """
    f = "cnn_backward"
    check_cache(f, cache, CNNCache, "cnn_forward")
    dA_O = as_array(f, "dA_O", dA_O, 2)
    if dA_O.shape != np.shape(cache.act_O.A):
        raise ShapeError(f"{f}: dA_O must have the shape of the outputs A_O, (k, m) (dA_O {dA_O.shape}, "
                         f"A_O {np.shape(cache.act_O.A)})")
    with reraise_as(f):
        dZO = sigmoid_backward(dA_O, cache.act_O)  # delta^O
        dAP, dWO, dbO = linear_backward(dZO, cache.lin)
        dP = dAP.T.reshape(cache.P.shape)
        dAF = maxpool2d_backward(dP, cache.pool)
        dZF = sigmoid_backward(dAF, cache.act_F)  # delta^F
        _, dWF, dbF = conv2d_backward(dZF, cache.conv)
    return CNNParams(dWF, dbF, dWO, dbO)


def _targets(func: str, y, AO: np.ndarray) -> np.ndarray:
    """One-hot targets (k, m) for the outputs AO (k, m), after checking there is one label per image."""
    as_array(func, "y", y)
    y = np.asarray(y)
    if y.shape != (AO.shape[1],):
        raise ShapeError(f"{func}: y must hold one label per image, shape (m,) = ({AO.shape[1]},) (y {y.shape})")
    with reraise_as(func):
        return one_hot(y, AO.shape[0])


def cnn_loss_and_grads(params: CNNParams, X, y) -> tuple[float, CNNParams]:
    r"""Mean over the m images of the seed's :math:`C = \tfrac12\sum_n (t_n - a^O_n)^2`, and its gradients."""
    f = "cnn_loss_and_grads"
    AO, cache = _forward(f, params, X)
    with reraise_as(f):
        loss, dAO = squared_error(AO, _targets(f, y, AO))
        return loss, cnn_backward(dAO, cache)


def predict(params: CNNParams, X) -> np.ndarray:
    """Labels (m,): the index of the largest output unit for each image."""
    return _forward("predict", params, X)[0].argmax(axis=0)


class TrainResult(NamedTuple):
    params: CNNParams
    losses: np.ndarray  # (epochs,), loss before each step
    accuracies: np.ndarray  # (epochs,), training accuracy before each step


def train_cnn(params: CNNParams, X, y, lr: float = 2.0, epochs: int = 2000) -> TrainResult:
    """Full-batch gradient descent, ``params <- params - lr * grad`` for ``epochs`` steps."""
    f = "train_cnn"
    lr, epochs = check_learning_rate(f, lr), check_epochs(f, epochs)
    T = _targets(f, y, _forward(f, params, X)[0])  # every argument is checked, even for epochs = 0
    losses, accs = np.empty(epochs), np.empty(epochs)
    for e in range(epochs):
        with reraise_as(f, f"epoch {e}"):
            AO, cache = cnn_forward(params, X)
            losses[e], dAO = squared_error(AO, T)
            accs[e] = np.mean(AO.argmax(axis=0) == y)
            grads = cnn_backward(dAO, cache)
        params = CNNParams(*(p - lr * g for p, g in zip(params, grads, strict=True)))
    return TrainResult(CNNParams(*(np.array(p, dtype=np.float64) for p in params)), losses, accs)  # copies
