r"""Why inputs must be scaled: TestNet trained on raw vs standardized inputs (chapter "TestNet", seed 000).

The data are two Gaussian classes in 3-D (:func:`make_blobs`); :func:`train_testnet` runs full-batch
gradient descent on TestNet (:mod:`dlmath.testnet`) and stops once a weight blows up.
:func:`scaling_explorer` / :func:`plot_scaling_run` draw one raw run beside the standardized run at the
same rate, with per-layer gradient norms (the first version of the chapter's explorer; the chapter now
uses :mod:`dlmath.scaling_explorer`, which starts every scale from the same network function and shows
the predicted stability limit of :mod:`dlmath.scaling_rule`).  Examples are columns: ``X`` (3, m).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .errors import (
    ShapeError,
    as_array,
    check_bool,
    check_cache,
    check_epochs,
    check_figure,
    check_int,
    check_learning_rate,
    check_real,
    check_seed,
    reraise_as,
)
from .losses import softmax_cross_entropy
from .testnet import TestNetParams, check_params, check_x, gradient_norms, sgd_step, testnet_loss_and_grads

# Training stops (and the rest of the curve is NaN) once a parameter's magnitude passes this:
# far beyond any sensible weight, yet small enough that logits stay well inside float64.
DIVERGENCE_LIMIT = 1e6
# The explorer's gradient-norm panel leaves out norms below this ("zero" for training purposes): a dead
# network's norms of 1e-90 would otherwise stretch the log axis over ~100 decades of slow-to-draw ticks.
GRAD_NORM_FLOOR = 1e-10


# -- training on raw vs standardized inputs -----------------------------------------------------------


def make_blobs(m: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian classes in 3-D, unit spread, centres (-1, 0.5, 0.5) and (1, -0.5, -0.5) shifted by (3, -2, 1).

    Returns
    -------
    X : (3, m) raw inputs at scale 1; y : (m,) integer labels, half 0 and half 1
    """
    if not isinstance(m, int | np.integer) or isinstance(m, bool) or m < 2:
        raise ShapeError(f"make_blobs: need at least 2 examples, one per class: m must be an integer >= 2 (m {m!r})")
    rng = np.random.default_rng(check_seed("make_blobs", seed))
    y = np.arange(m) % 2
    centres = np.array([[-1.0, 1.0], [0.5, -0.5], [0.5, -0.5]])  # column c is the centre of class c
    X = centres[:, y] + rng.standard_normal((3, m)) + np.array([[3.0], [-2.0], [1.0]])
    return X, y


def standardize(X) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Feature-wise standardization, :math:`\hat x_i = (x_i - \mu_i)/\sigma_i` over the m columns.

    Returns
    -------
    Xs : (n, m) with zero mean and unit standard deviation per row; mean : (n, 1); std : (n, 1)
    """
    X = as_array("standardize", "X", X, 2)
    with np.errstate(over="ignore", invalid="ignore"):
        mean, std = X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True)
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std))):
        raise ShapeError(f"standardize: X is too large to standardize in float64 (max |X| {np.abs(X).max():.3g})")
    if np.any(std == 0):
        raise ShapeError(f"standardize: a feature is constant over the examples, so it cannot be scaled (X {X.shape})")
    return (X - mean) / std, mean, std


_standardize = standardize  # scaling_explorer's argument is also called ``standardize``


def init_params(seed: int = 0) -> TestNetParams:
    """He-initialised weights (std sqrt(2 / fan_in)) and zero biases, from ``np.random.default_rng(seed)``."""
    rng = np.random.default_rng(check_seed("init_params", seed))
    return TestNetParams(
        rng.standard_normal((4, 3)) * np.sqrt(2 / 3), np.zeros((4, 1)), rng.standard_normal((2, 4)) * np.sqrt(2 / 4),
        np.zeros((2, 1)),
    )


class TrainResult(NamedTuple):
    """losses (epochs,) before each step; grad_norms (epochs, 4); final params; diverged flag.
    After a divergence the remaining losses and norms are NaN."""

    losses: np.ndarray
    grad_norms: np.ndarray
    params: TestNetParams
    diverged: bool


def train_testnet(X, y, params: TestNetParams, lr: float, epochs: int) -> TrainResult:
    """Full-batch gradient descent with a fixed learning rate; stops if a weight passes DIVERGENCE_LIMIT.

    ``X`` (3, m), ``y`` (m,) integer labels or (2, m) one-hot; ``epochs`` >= 0 steps."""
    f = "train_testnet"
    params, X = check_params(f, params), check_x(f, X)
    check_learning_rate(f, lr)
    epochs = check_epochs(f, epochs)
    with reraise_as(f, "y"):  # checked even when epochs = 0
        softmax_cross_entropy(np.zeros((2, X.shape[1])), y)
    losses, norms = np.full(epochs, np.nan), np.full((epochs, 4), np.nan)
    for t in range(epochs):
        if max(np.abs(p).max() for p in params) > DIVERGENCE_LIMIT:
            return TrainResult(losses, norms, params, True)
        with reraise_as(f, f"epoch {t}"):
            losses[t], grads = testnet_loss_and_grads(X, y, params)
        norms[t] = gradient_norms(grads)
        params = sgd_step(params, grads, lr)
    return TrainResult(losses, norms, TestNetParams(*(p.copy() for p in params)), False)  # copies: epochs may be 0


class ScalingRun(NamedTuple):
    """What the input-scaling explorer draws: the run asked for, and the standardized run at the same rate."""

    scale: float
    lr: float
    standardize: bool
    losses: np.ndarray
    grad_norms: np.ndarray
    diverged: bool
    reference_losses: np.ndarray


def scaling_explorer(log10_scale: float, log10_lr: float, standardize: bool = False, epochs: int = 60,
                     m: int = 120, seed: int = 0) -> ScalingRun:
    r"""Train TestNet on :func:`make_blobs` data multiplied by :math:`10^{\text{log10\_scale}}` with rate
    :math:`10^{\text{log10\_lr}}`, on the raw inputs or standardized ones (the explorer's ``compute``).

    Returns
    -------
    ScalingRun; ``reference_losses`` (epochs,) is always the standardized run at the same rate
    """
    f = "scaling_explorer"
    log10_scale = check_real(f, "log10_scale", log10_scale, low=-300, high=300)
    log10_lr = check_real(f, "log10_lr", log10_lr, low=-300, high=300)
    standardize, epochs = check_bool(f, "standardize", standardize), check_epochs(f, epochs)
    check_int(f, "m", m, 2), check_seed(f, seed)
    X, y = make_blobs(m, seed)
    scale, lr = 10.0**log10_scale, 10.0**log10_lr
    with reraise_as(f):
        Xs = _standardize(scale * X)[0]
        ref = train_testnet(Xs, y, init_params(seed), lr, epochs)
        run = ref if standardize else train_testnet(scale * X, y, init_params(seed), lr, epochs)
    return ScalingRun(scale, lr, bool(standardize), run.losses, run.grad_norms, run.diverged, ref.losses)


def plot_scaling_run(run: ScalingRun, fig) -> None:
    """Draw a :class:`ScalingRun` on an empty figure: loss curves (left) and per-layer gradient norms (right).

    Gradient norms below ``GRAD_NORM_FLOOR`` are not drawn (the line stops where learning has stopped)."""
    check_cache("plot_scaling_run", run, ScalingRun, "scaling_explorer", "run")
    check_figure("plot_scaling_run", fig)
    ax1, ax2 = fig.subplots(1, 2, sharex=True)
    epochs = np.arange(len(run.losses))
    kind = "standardized" if run.standardize else "raw"
    ax1.plot(epochs, run.losses, color="C3" if not run.standardize else "C0", label=f"{kind} inputs")
    if not run.standardize:
        ax1.plot(epochs, run.reference_losses, "--", color="C0", label="standardized inputs")
    ax1.set_yscale("log")
    ax1.set_xlabel("gradient-descent step")
    ax1.set_ylabel("training loss J")
    ax1.set_title(f"scale {run.scale:g}, rate {run.lr:.2g}" + (" (diverged)" if run.diverged else ""))
    ax1.legend(loc="best", fontsize=8)
    lines = ((0, r"$\|\partial J/\partial W^{(1)}\|$", "C2"), (2, r"$\|\partial J/\partial W^{(2)}\|$", "C4"))
    for col, name, color in lines:
        values = np.where(run.grad_norms[:, col] > GRAD_NORM_FLOOR, run.grad_norms[:, col], np.nan)
        ax2.plot(epochs, values, color=color, label=name)
    ax2.set_yscale("log")
    ax2.set_xlabel("gradient-descent step")
    ax2.set_ylabel("gradient norm")
    ax2.set_title(f"gradient norms ({kind} inputs)")
    ax2.legend(loc="best", fontsize=8)
    # fixed margins: tight_layout would cost more than the whole training run of a frame
    fig.subplots_adjust(left=0.085, right=0.985, bottom=0.15, top=0.9, wspace=0.28)
