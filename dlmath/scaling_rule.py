r"""The :math:`s^2` rule for input scaling (chapter "TestNet", section "Why inputs must be scaled").

Multiplying TestNet's input by :math:`s` is the same as multiplying its first weight matrix by :math:`s`:

.. math:: J_s(W^{(1)}, b^{(1)}, W^{(2)}, b^{(2)}) = J_1(s W^{(1)}, b^{(1)}, W^{(2)}, b^{(2)}),

so the gradient in :math:`W^{(1)}` carries a factor :math:`s` and the Hessian block in :math:`W^{(1)}` a
factor :math:`s^2`.  :func:`descend` is gradient descent with one rate per parameter (to check the
reparametrisation step for step), :func:`loss_hessian` the Hessian in all 26 parameters by central
differences of the backward pass, and :func:`largest_stable_rate` measures the largest rate at which
gradient descent started at a point does not climb away from it.  Examples are columns: ``X`` (3, m).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .errors import ShapeError, check_epochs, check_learning_rate, check_real, check_seed, reraise_as
from .losses import softmax_cross_entropy
from .testnet import TestNetParams, check_params, check_x, testnet_loss_and_grads

# Runs stop once a parameter's magnitude passes this (as dlmath.scaling.train_testnet does).
DIVERGENCE_LIMIT = 1e6
NAMES = ("W1", "b1", "W2", "b2")
# largest_stable_rate: a run counts as stable if it ends below its first loss and never rises more than this
# fraction above it.  ReLU kinks near a trained point cause bumps of ~1e-5 relative; a run that climbs away
# (or is catapulted over a ridge before it settles) rises by tens of percent.
RISE = 0.01


class Descent(NamedTuple):
    """losses (epochs,) before each step (NaN after a divergence); increases: how many steps raised the
    loss; params after the last step; diverged: a parameter passed DIVERGENCE_LIMIT."""

    losses: np.ndarray
    increases: int
    params: TestNetParams
    diverged: bool


def _rates(func: str, lr) -> np.ndarray:
    """One rate for all parameters, or four (W1, b1, W2, b2), each finite and >= 0."""
    if isinstance(lr, tuple | list | np.ndarray):
        if np.shape(lr) != (4,):
            raise ShapeError(f"{func}: lr must be one rate or four rates for (W1, b1, W2, b2) "
                             f"(lr shape {np.shape(lr)})")
        return np.array([check_learning_rate(f"{func}: lr for {n}", v) for n, v in zip(NAMES, lr, strict=True)])
    return np.full(4, check_learning_rate(func, lr))


def _one_hot(func: str, y, m: int) -> np.ndarray:
    """The labels as a (2, m) one-hot matrix, checked by softmax_cross_entropy."""
    with reraise_as(func, "y"):
        _, dZ = softmax_cross_entropy(np.zeros((2, m)), y)
    return (0.5 - m * dZ).round()  # dZ = (1/2 - Y) / m for zero logits


def _descend(X, Y, W1, b1, W2, b2, rates, epochs) -> tuple[np.ndarray, tuple, bool]:
    """The loop of :func:`descend` on checked arrays: plain NumPy, no per-step validation (fast)."""
    m = X.shape[1]
    losses = np.full(epochs, np.nan)
    for t in range(epochs):
        if max(np.abs(W1).max(), np.abs(b1).max(), np.abs(W2).max(), np.abs(b2).max()) > DIVERGENCE_LIMIT:
            return losses, (W1, b1, W2, b2), True
        Z1 = W1 @ X + b1
        A1 = np.maximum(Z1, 0.0)
        Z2 = W2 @ A1 + b2
        top = Z2.max(axis=0)
        E = np.exp(Z2 - top)
        S = E.sum(axis=0)
        losses[t] = np.mean(np.log(S) + top - (Y * Z2).sum(axis=0))  # log-sum-exp: no overflow
        dZ2 = (E / S - Y) / m
        dZ1 = (W2.T @ dZ2) * (Z1 > 0)
        W2, b2 = W2 - rates[2] * (dZ2 @ A1.T), b2 - rates[3] * dZ2.sum(axis=1, keepdims=True)
        W1, b1 = W1 - rates[0] * (dZ1 @ X.T), b1 - rates[1] * dZ1.sum(axis=1, keepdims=True)
    return losses, (W1, b1, W2, b2), False


def descend(X, y, params: TestNetParams, lr, epochs: int) -> Descent:
    r"""Full-batch gradient descent on TestNet with one rate per parameter (or one for all).

    .. math:: \theta_k \leftarrow \theta_k - \alpha_k\, \partial J/\partial \theta_k,\quad
              \theta = (W^{(1)}, b^{(1)}, W^{(2)}, b^{(2)})

    The same updates as :func:`dlmath.scaling.train_testnet` (a test holds them equal) without the
    per-step checks, so an explorer frame of several hundred steps takes a few milliseconds.

    Parameters
    ----------
    X : (3, m) inputs; y : (m,) integer labels or (2, m) one-hot
    params : TestNetParams, the start
    lr : one rate >= 0, or four rates for (W1, b1, W2, b2)
    epochs : number of steps >= 0

    Returns
    -------
    Descent(losses (epochs,), increases, params, diverged)
    """
    f = "descend"
    X, params = check_x(f, X), check_params(f, params)
    rates, epochs = _rates(f, lr), check_epochs(f, epochs)
    Y = _one_hot(f, y, X.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):
        losses, last, diverged = _descend(X, Y, *params, rates, epochs)
    done = losses[np.isfinite(losses)]
    return Descent(losses, int(np.sum(np.diff(done) > 0)), TestNetParams(*last), diverged)


def flatten(params: TestNetParams) -> np.ndarray:
    """The 26 parameters as one vector, in the order W1 (row by row), b1, W2 (row by row), b2."""
    params = check_params("flatten", params)
    return np.concatenate([np.ravel(p) for p in params])


def _unflatten(theta: np.ndarray) -> TestNetParams:
    return TestNetParams(theta[:12].reshape(4, 3), theta[12:16].reshape(4, 1), theta[16:24].reshape(2, 4),
                         theta[24:].reshape(2, 1))


def loss_hessian(X, y, params: TestNetParams, eps: float = 1e-5) -> np.ndarray:
    r"""Hessian of the mean cross-entropy in all 26 parameters (order of :func:`flatten`), by central
    differences of the backward pass, symmetrised.

    .. math:: H_{:,i} = \frac{\nabla J(\theta + h_i e_i) - \nabla J(\theta - h_i e_i)}{2 h_i},\quad
              h_i = \epsilon / \max|X| \text{ for } W^{(1)},\ \epsilon \text{ otherwise}

    The step for :math:`W^{(1)}` is divided by the largest input, so that every step moves
    :math:`z^{(1)}` by at most :math:`3\epsilon` whatever the input scale (it must not cross a ReLU kink).
    The block ``H[:12, :12]`` is the Hessian in :math:`W^{(1)}`.

    Returns
    -------
    H : (26, 26)
    """
    f = "loss_hessian"
    X, params = check_x(f, X), check_params(f, params)
    eps = check_real(f, "eps", eps, low=0.0, strict=True, high=1e-2)
    _one_hot(f, y, X.shape[1])
    theta = flatten(params)
    steps = np.full(26, eps)
    steps[:12] = eps / max(float(np.abs(X).max()), 1e-300)
    H = np.empty((26, 26))
    with reraise_as(f):
        for i in range(26):
            e = np.zeros(26)
            e[i] = steps[i]
            plus = testnet_loss_and_grads(X, y, _unflatten(theta + e))[1]
            minus = testnet_loss_and_grads(X, y, _unflatten(theta - e))[1]
            H[:, i] = (_flat_grads(plus) - _flat_grads(minus)) / (2 * steps[i])
    if not np.all(np.isfinite(H)):
        raise ShapeError(f"{f}: the Hessian is not finite (overflow; max |X| {np.abs(X).max():.3g})")
    return (H + H.T) / 2


def _flat_grads(g) -> np.ndarray:
    return np.concatenate([g.dW1.ravel(), g.db1.ravel(), g.dW2.ravel(), g.db2.ravel()])


def largest_stable_rate(X, y, params: TestNetParams, lo: float = 1e-10, epochs: int = 300,
                        bisections: int = 20, perturb: float = 1e-4, seed: int = 0) -> float:
    r"""The largest rate :math:`\alpha` (one for all parameters) at which ``epochs`` steps of gradient
    descent started next to ``params`` end with a lower loss than they started with, never having risen
    more than ``RISE`` (1 %) above it.

    The start is ``params`` moved by a random vector of norm ``perturb`` (from ``seed``), whose
    :math:`W^{(1)}` part is divided by :math:`\max|X|` as in :func:`loss_hessian`: it gives every
    direction of the Hessian, the steepest included, a share of the start's excess loss.

    Rates :math:`\alpha = \text{lo}\cdot 10^{k/4}` are tried in increasing order until the first one that
    fails; the edge between the last success and that failure is then found by ``bisections`` halvings of
    its logarithm.  Started at a trained point, a rate above :math:`2/\lambda_{\max}` of the Hessian makes
    the steepest direction oscillate with a growing amplitude, so the result estimates :math:`2/\lambda_{\max}`.

    Returns
    -------
    alpha : float (``lo`` if even ``lo`` fails)
    """
    f = "largest_stable_rate"
    X, params = check_x(f, X), check_params(f, params)
    lo = check_real(f, "lo", lo, low=1e-300, high=1.0)
    epochs = check_epochs(f, epochs)
    if epochs < 2:
        raise ShapeError(f"{f}: epochs must be at least 2 to compare a first and a last loss (epochs {epochs})")
    bisections = check_epochs(f"{f}: bisections", bisections)
    perturb = check_real(f, "perturb", perturb, low=0.0, high=1.0)
    Y = _one_hot(f, y, X.shape[1])
    kick = np.random.default_rng(check_seed(f, seed)).standard_normal(26)
    kick *= perturb / np.linalg.norm(kick)
    kick[:12] /= max(float(np.abs(X).max()), 1e-300)
    params = _unflatten(flatten(params) + kick)

    def stable(alpha: float) -> bool:
        with np.errstate(over="ignore", invalid="ignore"):
            losses, _, diverged = _descend(X, Y, *params, np.full(4, alpha), epochs)
        # Kinks of the ReLU can raise the loss by a hair; a growing oscillation raises it by far more.
        return not diverged and bool(losses[-1] < losses[0] and np.max(losses) < (1 + RISE) * losses[0])

    if not stable(lo):
        return lo
    good, bad = np.log10(lo), None
    while bad is None:
        trial = good + 0.25
        if trial > 3:
            raise ShapeError(f"{f}: every rate up to 1e3 is stable: params is not near a minimum with curvature")
        good, bad = (trial, None) if stable(10.0**trial) else (good, trial)
    for _ in range(bisections):
        mid = (good + bad) / 2
        good, bad = (mid, bad) if stable(10.0**mid) else (good, mid)
    return float(10.0**good)
