r"""Losses, each returning ``(loss, gradient w.r.t. its first argument)``.

Every loss is averaged over the m examples (columns), so the gradient carries the 1/m and the
layer backwards do not.  Formulas are the stable ones: log-sum-exp for softmax cross-entropy and
the logit form of binary cross-entropy.
"""

from __future__ import annotations

import numpy as np

from .activations import sigmoid
from .errors import ShapeError, as_array, same_shape


def _need_examples(func: str, name: str, X: np.ndarray) -> int:
    """The number of examples m (columns); a mean over m = 0 examples is 0/0, so refuse it."""
    if X.shape[1] == 0:
        raise ShapeError(
            f"{func}: {name} has no examples (0 columns) and the mean loss over m = 0 is undefined ({name} {X.shape})"
        )
    return X.shape[1]


def _labels_to_onehot(func: str, Y, k: int, m: int) -> np.ndarray:
    """Accept one-hot (k, m) or integer labels (m,) and return one-hot (k, m)."""
    Y_arr = as_array(func, "Y", Y)  # refuses None, strings, ragged lists, complex and NaN
    if Y_arr.ndim == 1:
        Y_arr = np.asarray(Y)  # keep an integer dtype
        if Y_arr.shape[0] != m:
            raise ShapeError(f"{func}: got {Y_arr.shape[0]} labels for {m} examples (Z ({k}, {m}), Y {Y_arr.shape})")
        if not np.issubdtype(Y_arr.dtype, np.integer):
            if not (np.issubdtype(Y_arr.dtype, np.floating) or Y_arr.dtype == bool):
                raise ShapeError(
                    f"{func}: integer labels Y (m,) must be whole numbers 0..{k - 1} (got dtype {Y_arr.dtype})"
                )
            if not np.all(np.isfinite(Y_arr)) or not np.all(Y_arr == np.round(Y_arr)):
                raise ShapeError(f"{func}: integer labels Y (m,) must be whole numbers 0..{k - 1}")
        labels = Y_arr.astype(np.int64)
        if labels.size and (labels.min() < 0 or labels.max() >= k):
            raise ShapeError(
                f"{func}: labels must lie in 0..{k - 1} for {k} classes "
                f"(got min {labels.min()}, max {labels.max()}; Z ({k}, {m}), Y {Y_arr.shape})"
            )
        onehot = np.zeros((k, m))
        onehot[labels, np.arange(m)] = 1.0
        return onehot
    Y_arr = as_array(func, "Y", Y_arr, 2)
    if Y_arr.shape != (k, m):
        raise ShapeError(
            f"{func}: one-hot Y must have the shape of Z (Z ({k}, {m}), Y {Y_arr.shape}); "
            "pass Y as (k, m) one-hot columns or (m,) integer labels"
        )
    if np.any(Y_arr < 0) or not np.allclose(Y_arr.sum(axis=0), 1.0):
        raise ShapeError(f"{func}: each column of Y must be a probability vector (non-negative, summing to 1)")
    return Y_arr


def softmax_cross_entropy(Z, Y) -> tuple[float, np.ndarray]:
    r"""Mean cross-entropy of softmax(Z) against Y, and its gradient w.r.t. the logits.

    .. math:: J = -\frac1m \sum_{j}\sum_i y_{ij}\log p_{ij},\quad p = \mathrm{softmax}(Z),\quad
              \frac{\partial J}{\partial Z} = \frac{P - Y}{m}

    Parameters
    ----------
    Z : ndarray, shape (k, m), logits with examples as columns
    Y : ndarray, one-hot (k, m) or integer labels (m,)

    Returns
    -------
    loss : float; dZ : (k, m)
    """
    f = "softmax_cross_entropy"
    Z = as_array(f, "Z", Z, 2)
    k, m = Z.shape
    if k == 0:
        raise ShapeError(f"{f}: Z needs at least one class (row) (Z {Z.shape})")
    _need_examples(f, "Z", Z)
    Y = _labels_to_onehot(f, Y, k, m)
    with np.errstate(over="ignore", invalid="ignore"):  # logits ~1.8e308 apart: log p = -inf, handled below
        shifted = Z - Z.max(axis=0, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
        # where y = 0 the term is 0 even if log p = -inf: 0 * -inf would be NaN
        loss = float(-np.where(Y > 0, Y * log_p, 0.0).sum() / m) + 0.0  # + 0.0 turns -0.0 into 0.0
    if not np.isfinite(loss):
        raise ShapeError(f"{f}: the loss overflowed float64 (a labelled class has probability 0 to double "
                         f"precision; logits from {Z.min():.3g} to {Z.max():.3g}); scale the logits down")
    return loss, (np.exp(log_p) - Y) / m  # exp(log softmax) = softmax, without a second pass


def _check_binary(func: str, first: str, A, Y) -> tuple[np.ndarray, np.ndarray]:
    A = as_array(func, first, A, 2)
    Y = as_array(func, "Y", Y)
    if Y.ndim == 1:
        Y = Y.reshape(1, -1)
    if A.shape[0] != 1:
        raise ShapeError(f"{func}: {first} must be (1, m), one row of examples ({first} {A.shape})")
    same_shape(func, first, A, "Y", Y)
    _need_examples(func, first, A)
    if np.any((Y < 0) | (Y > 1)):
        raise ShapeError(f"{func}: labels Y must lie in [0, 1]")
    return A, Y


def binary_cross_entropy(A, Y) -> tuple[float, np.ndarray]:
    r"""Mean binary cross-entropy of probabilities A against labels Y.

    .. math:: J = -\frac1m\sum_j \big(y_j\log a_j + (1-y_j)\log(1-a_j)\big),\quad
              \frac{\partial J}{\partial a_j} = \frac1m\,\frac{a_j - y_j}{a_j(1-a_j)}

    A must lie strictly inside (0, 1); a saturated probability has an infinite loss.  Prefer
    :func:`binary_cross_entropy_with_logits` when the logits are at hand.

    Parameters
    ----------
    A : ndarray, shape (1, m)
    Y : ndarray, shape (1, m) or (m,), labels in {0, 1} (or soft labels in [0, 1])

    Returns
    -------
    loss : float; dA : (1, m)
    """
    f = "binary_cross_entropy"
    A, Y = _check_binary(f, "A", A, Y)
    if np.any((A <= 0) | (A >= 1)):
        raise ShapeError(
            f"{f}: probabilities A must lie strictly between 0 and 1 (min {A.min()}, max {A.max()}); "
            "use binary_cross_entropy_with_logits for saturated outputs"
        )
    m = A.shape[1]
    loss = float(-(Y * np.log(A) + (1 - Y) * np.log1p(-A)).sum() / m)
    return loss, (A - Y) / (A * (1 - A)) / m


def binary_cross_entropy_with_logits(Z, Y) -> tuple[float, np.ndarray]:
    r"""Mean binary cross-entropy of :math:`\sigma(Z)` against Y, from the logits.

    .. math:: J = \frac1m\sum_j \big(\max(z_j,0) - z_j y_j + \log(1+e^{-|z_j|})\big),\quad
              \frac{\partial J}{\partial z_j} = \frac{\sigma(z_j) - y_j}{m}

    Parameters
    ----------
    Z : ndarray, shape (1, m)
    Y : ndarray, shape (1, m) or (m,)

    Returns
    -------
    loss : float; dZ : (1, m)
    """
    f = "binary_cross_entropy_with_logits"
    Z, Y = _check_binary(f, "Z", Z, Y)
    m = Z.shape[1]
    loss = float((np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))).sum() / m)
    return loss, (sigmoid(Z) - Y) / m


def squared_error(A, T) -> tuple[float, np.ndarray]:
    r"""Half the mean squared error, as in seed 002's :math:`C = \tfrac12\sum_n (t_n - a_n)^2`.

    .. math:: J = \frac{1}{2m}\sum_{i,j}(a_{ij} - t_{ij})^2,\quad \frac{\partial J}{\partial A} = \frac{A - T}{m}

    Parameters
    ----------
    A : ndarray, shape (k, m)
    T : ndarray, shape (k, m)

    Returns
    -------
    loss : float; dA : (k, m)
    """
    f = "squared_error"
    A = as_array(f, "A", A, 2)
    T = as_array(f, "T", T, 2)
    same_shape(f, "A", A, "T", T)
    m = _need_examples(f, "A", A)
    with np.errstate(over="ignore"):  # refused just below, with a message instead of a warning
        diff = A - T
        loss = float((diff**2).sum() / (2 * m))
    if not np.isfinite(loss):
        raise ShapeError(f"{f}: the loss overflowed float64 (max |A - T| = {np.abs(diff).max():.3g}); "
                         "scale A and T down")
    return loss, diff / m
