r"""One hidden layer, many examples, one example per **row** (chapter "Backprop on a batch", seed 001).

The batch seed stacks the n examples as the rows of :math:`X \in \mathbb{R}^{n\times d}` and keeps the
parameters in the shapes of the single-example network: ``W1`` (h, d), ``b1`` (h, 1), ``W2`` (1, h),
``b2`` (1, 1).  Forward, with broadcasting of the bias rows:

.. math:: Z^{[1]} = b^{[1]\top} + X W^{[1]\top},\quad A^{[1]} = \sigma(Z^{[1]}),\quad
          Z^{[2]} = b^{[2]\top} + A^{[1]} W^{[2]\top},\quad A^{[2]} = \sigma(Z^{[2]})

Every *batch* array (X, Z, A and their gradients) is the transpose of its column-layout twin in
:mod:`dlmath.linear` (``Z1_rows == Z1_cols.T``); the parameters and their gradients have the same shapes
in both layouts, so the weight gradients are the same matrices.  :func:`gradients_columns` computes the
same gradients with the core column-layout functions, and :func:`gradients_loop` with the single-example
formulas in a Python loop.
The chapter's learning-rate explorer and the loop-vs-vectorized timing are in :mod:`dlmath.batch_explorer`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import sigmoid, sigmoid_backward, sigmoid_forward
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
)
from .linear import linear_backward, linear_forward
from .losses import binary_cross_entropy_with_logits


class Params(NamedTuple):
    """Parameters of a d-h-1 network, in the shapes of seed 001: W1 (h, d), b1 (h, 1), W2 (1, h), b2 (1, 1).

    A gradient has the same fields and shapes (dW1 in field ``W1``, and so on)."""

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray


class RowCache(NamedTuple):
    """What :func:`backward_rows` needs: the batch, the parameters and every intermediate (rows = examples)."""

    X: np.ndarray
    params: Params
    Z1: np.ndarray
    A1: np.ndarray
    Z2: np.ndarray
    A2: np.ndarray


def init_params(d: int, h: int, seed: int = 0, scale: float = 1.0) -> Params:
    r"""Random initialisation (step 1 of batch gradient descent): :math:`W \sim \mathcal N(0, \text{scale}^2)`, b = 0.

    Returns
    -------
    Params with W1 (h, d), b1 (h, 1), W2 (1, h), b2 (1, 1)
    """
    if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) and v >= 1 for v in (d, h)):
        raise ShapeError(f"init_params: d and h must be integers of at least 1 (d {d!r}, h {h!r})")
    scale = check_real("init_params", "scale", scale, low=0.0, strict=True)
    rng = np.random.default_rng(check_seed("init_params", seed))
    return Params(scale * rng.standard_normal((h, d)), np.zeros((h, 1)), scale * rng.standard_normal((1, h)),
                  np.zeros((1, 1)))


def check_params(func: str, params: Params, d: int | None = None) -> Params:
    """Validate the four parameter arrays (finite, float64, consistent shapes) and return them as a Params."""
    if not isinstance(params, tuple | list) or len(params) != 4:
        got = f"{len(params)} arrays" if isinstance(params, tuple | list) else describe(params)
        raise ShapeError(f"{func}: params must be (W1, b1, W2, b2), got {got}")
    W1, b1, W2, b2 = (as_array(func, name, p, 2) for name, p in zip(Params._fields, params, strict=True))
    h = W1.shape[0]
    rule = "W1 must be (h, d), b1 (h, 1), W2 (1, h) and b2 (1, 1)"
    if b1.shape != (h, 1) or W2.shape != (1, h) or b2.shape != (1, 1):
        raise ShapeError(f"{func}: parameter shapes disagree (W1 {W1.shape}, b1 {b1.shape}, W2 {W2.shape}, "
                         f"b2 {b2.shape}); {rule}")
    if d is not None and W1.shape[1] != d:
        raise ShapeError(f"{func}: X has {d} columns (features) but W1 has {W1.shape[1]} "
                         f"(W1 {W1.shape}); X must be (n, d) and {rule}")
    return Params(W1, b1, W2, b2)


def _check_xy(func: str, X, Y) -> tuple[np.ndarray, np.ndarray]:
    X = as_array(func, "X", X, 2)
    Y = as_array(func, "Y", Y)
    if Y.ndim == 1:
        Y = Y.reshape(-1, 1)
    if Y.shape != (X.shape[0], 1):
        raise ShapeError(f"{func}: Y must be (n, 1) or (n,), one label per row of X (X {X.shape}, Y {Y.shape})")
    if np.any((Y < 0) | (Y > 1)):
        raise ShapeError(f"{func}: labels Y must lie in [0, 1]")
    return X, Y


def forward_rows(X, params: Params) -> tuple[np.ndarray, RowCache]:
    r"""Forward pass of the d-h-1 sigmoid network on a batch of rows.

    .. math:: Z^{[1]} = b^{[1]\top} + X W^{[1]\top},\ A^{[1]} = \sigma(Z^{[1]}),\
              Z^{[2]} = b^{[2]\top} + A^{[1]} W^{[2]\top},\ A^{[2]} = \sigma(Z^{[2]})

    Parameters
    ----------
    X : ndarray, shape (n, d), one example per row
    params : Params(W1 (h, d), b1 (h, 1), W2 (1, h), b2 (1, 1))

    Returns
    -------
    A2 : (n, 1); cache : RowCache(X, params, Z1 (n, h), A1 (n, h), Z2 (n, 1), A2 (n, 1))
    """
    X = as_array("forward_rows", "X", X, 2)
    params = check_params("forward_rows", params, X.shape[1])
    return _forward(X, params)


def _hidden(X: np.ndarray, p: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Z1 = p.b1.T + X @ p.W1.T  # (1, h) + (n, h): broadcasting copies the bias row to every example
    A1 = sigmoid(Z1)
    return Z1, A1, p.b2.T + A1 @ p.W2.T


def _forward(X: np.ndarray, p: Params) -> tuple[np.ndarray, RowCache]:
    Z1, A1, Z2 = _hidden(X, p)
    A2 = sigmoid(Z2)
    return A2, RowCache(X, p, Z1, A1, Z2, A2)


def backward_rows(dZ2, cache: RowCache) -> Params:
    r"""Backward pass from the output logits :math:`dZ^{[2]}` (n, 1) to every parameter.

    .. math:: db^{[2]} = dZ^{[2]\top}\mathbf 1,\ dW^{[2]} = dZ^{[2]\top}A^{[1]},\
              dZ^{[1]} = dZ^{[2]}W^{[2]}\circ A^{[1]}\circ(1-A^{[1]}),\
              db^{[1]} = dZ^{[1]\top}\mathbf 1,\ dW^{[1]} = dZ^{[1]\top}X

    Parameters
    ----------
    dZ2 : ndarray, shape (n, 1), the upstream gradient :math:`\partial J/\partial Z^{[2]}`
    cache : RowCache from :func:`forward_rows`

    Returns
    -------
    Params of gradients: dW1 (h, d), db1 (h, 1), dW2 (1, h), db2 (1, 1)
    """
    check_cache("backward_rows", cache, RowCache, "forward_rows")
    dZ2 = as_array("backward_rows", "dZ2", dZ2, 2)
    if dZ2.shape != cache.Z2.shape:
        raise ShapeError(f"backward_rows: dZ2 must have the shape of Z2, (n, 1) (dZ2 {dZ2.shape}, Z2 {cache.Z2.shape})")
    return _backward(dZ2, cache.X, cache.A1, cache.params.W2)


def _backward(dZ2: np.ndarray, X: np.ndarray, A1: np.ndarray, W2: np.ndarray) -> Params:
    dW2 = dZ2.T @ A1  # (1, n) @ (n, h): the sum over examples is this matrix product
    db2 = dZ2.sum(axis=0, keepdims=True).T  # = dZ2.T @ 1
    dZ1 = (dZ2 @ W2) * (A1 * (1.0 - A1))  # (n, 1) @ (1, h), then Hadamard with sigma'(Z1)
    dW1 = dZ1.T @ X  # (h, n) @ (n, d)
    db1 = dZ1.sum(axis=0, keepdims=True).T  # (h, 1)
    return Params(dW1, db1, dW2, db2)


def loss_and_gradients(X, Y, params: Params) -> tuple[float, Params]:
    r"""Mean binary cross-entropy of the network on the batch and its vectorized gradients.

    .. math:: J = -\frac1n\sum_i \big(y_i\log a^{[2]}_i + (1-y_i)\log(1-a^{[2]}_i)\big),\quad
              dZ^{[2]} = \frac{A^{[2]} - Y}{n}

    The loss is computed from the logits by :func:`dlmath.losses.binary_cross_entropy_with_logits`
    (which wants a row (1, n), the transpose of the column Z2 (n, 1)).

    Parameters
    ----------
    X : ndarray, shape (n, d); Y : ndarray, shape (n, 1) or (n,), labels in {0, 1}
    params : Params(W1 (h, d), b1 (h, 1), W2 (1, h), b2 (1, 1))

    Returns
    -------
    loss : float; grads : Params of the four gradients, each shaped like its parameter
    """
    f = "loss_and_gradients"
    X, Y = _check_xy(f, X, Y)
    params = check_params(f, params, X.shape[1])
    return _loss_and_gradients(X, Y, params)


def _loss_and_gradients(X: np.ndarray, Y: np.ndarray, params: Params) -> tuple[float, Params]:
    _, A1, Z2 = _hidden(X, params)  # A2 itself is not needed: the loss works from the logits Z2
    loss, dZ2_row = binary_cross_entropy_with_logits(Z2.T, Y.T)  # (1, n): the column layout's view
    return loss, _backward(dZ2_row.T, X, A1, params.W2)


def gradients_loop(X, Y, params: Params) -> tuple[float, Params]:
    r"""The slow, obvious oracle: single-example gradients of seed 001, averaged in a Python loop.

    For one example, with :math:`D = \mathrm{diag}(a^{[1]}(1-a^{[1]}))`:

    .. math:: dz^{[2]} = a^{[2]} - y,\ dW^{[2]} = dz^{[2]}a^{[1]\top},\
              dz^{[1]} = dz^{[2]}\,D\,W^{[2]\top},\ dW^{[1]} = dz^{[1]}x^\top,\
              d\theta = \frac1n\sum_i d\theta_i

    Returns
    -------
    loss : float (mean BCE); grads : Params, shaped like the parameters
    """
    f = "gradients_loop"
    X, Y = _check_xy(f, X, Y)
    W1, b1, W2, b2 = check_params(f, params, X.shape[1])
    n = X.shape[0]
    total = [np.zeros_like(W1), np.zeros_like(b1), np.zeros_like(W2), np.zeros_like(b2)]
    loss = 0.0
    for i in range(n):
        x, y = X[i].reshape(-1, 1), Y[i, 0]  # one example as a column (d, 1)
        a1 = sigmoid(b1 + W1 @ x)  # (h, 1)
        z2 = (b2 + W2 @ a1)[0, 0]
        a2 = sigmoid(np.array(z2))[()]
        loss += max(z2, 0.0) - z2 * y + np.log1p(np.exp(-abs(z2)))  # BCE from the logit
        dz2 = a2 - y
        D = np.diag(a1[:, 0] * (1.0 - a1[:, 0]))  # (h, h)
        dz1 = dz2 * D @ W2.T  # (h, 1)
        total[0] += dz1 @ x.T
        total[1] += dz1
        total[2] += dz2 * a1.T
        total[3] += dz2
    return float(loss / n), Params(*(t / n for t in total))


def gradients_columns(X, Y, params: Params) -> tuple[float, Params]:
    r"""The same gradients computed by the core column-layout functions on :math:`X^\top`.

    .. math:: Z^{[1]}_{\text{cols}} = W^{[1]}X^\top + b^{[1]} = (Z^{[1]}_{\text{rows}})^\top

    Returns
    -------
    loss : float; grads : Params (the parameter shapes are the same in both layouts)
    """
    f = "gradients_columns"
    X, Y = _check_xy(f, X, Y)
    W1, b1, W2, b2 = check_params(f, params, X.shape[1])
    Z1, lin1 = linear_forward(X.T, W1, b1)  # (h, n)
    A1, act1 = sigmoid_forward(Z1)
    Z2, lin2 = linear_forward(A1, W2, b2)  # (1, n)
    loss, dZ2 = binary_cross_entropy_with_logits(Z2, Y.T)
    dA1, dW2, db2 = linear_backward(dZ2, lin2)
    dZ1 = sigmoid_backward(dA1, act1)
    _, dW1, db1 = linear_backward(dZ1, lin1)
    return loss, Params(dW1, db1, dW2, db2)


def predict_proba(X, params: Params) -> np.ndarray:
    r""":math:`A^{[2]}` for every row of X, flattened: shape (n,)."""
    X = as_array("predict_proba", "X", X, 2)
    return _forward(X, check_params("predict_proba", params, X.shape[1]))[0][:, 0]


def make_circles(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""Two noisy concentric circles (label 0 outside, radius 1; label 1 inside, radius 1/2), standardised.

    .. math:: x_i = r_i(\cos t_i, \sin t_i) + \varepsilon_i,\quad r_i = 1 - y_i/2,\
              t_i \sim U[0, 2\pi),\ \varepsilon_i \sim \mathcal N(0, \text{noise}^2 I)

    No straight line separates the classes (the best one classifies about 70 % correctly by cutting a
    cap off the outer ring), and logistic regression stays near chance: both rings are centred at the
    origin, so at w = 0 its gradient, the difference of the class means, is about 0.  A few sigmoid
    hidden units can draw a closed boundary.

    Returns
    -------
    X : (n, 2), each column with mean 0 and standard deviation 1; Y : (n, 1), labels alternating 0, 1, 0, ...
    """
    check_int("make_circles", "n", n, 2, "need at least 2 examples, one per class")
    noise = check_real("make_circles", "noise", noise, low=0.0)
    rng = np.random.default_rng(check_seed("make_circles", seed))
    y = np.arange(n) % 2
    t = rng.uniform(0.0, 2.0 * np.pi, n)
    r = 1.0 - 0.5 * y
    X = np.c_[r * np.cos(t), r * np.sin(t)] + noise * rng.standard_normal((n, 2))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, y.reshape(-1, 1).astype(np.float64)


class Training(NamedTuple):
    """Result of :func:`batch_gradient_descent`: final parameters and the loss before every update."""

    params: Params
    losses: np.ndarray


def batch_gradient_descent(X, Y, params: Params, lr: float, epochs: int) -> Training:
    r"""Seed 001's batch gradient descent: repeat :math:`\theta \leftarrow \theta - \alpha\nabla J(\theta)`.

    Parameters
    ----------
    X : (n, d); Y : (n, 1) or (n,); params : initial Params (not modified)
    lr : the learning rate :math:`\alpha > 0`; epochs : number of updates (each uses the whole batch)

    Returns
    -------
    Training(params, losses) with losses (epochs + 1,): the loss at every iterate, first and last included
    """
    f = "batch_gradient_descent"
    X, Y = _check_xy(f, X, Y)
    p = check_params(f, params, X.shape[1])
    check_learning_rate(f, lr)
    epochs = check_epochs(f, epochs)
    losses = np.empty(epochs + 1)
    for t in range(epochs + 1):
        losses[t], g = _loss_and_gradients(X, Y, p)
        if t < epochs:
            p = Params(*(w - lr * dw for w, dw in zip(p, g, strict=True)))
    return Training(Params(*(w.copy() for w in p)) if epochs == 0 else p, losses)  # never the caller's arrays
