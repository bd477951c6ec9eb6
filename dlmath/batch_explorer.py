r"""The experiments of the chapter "Backprop on a batch": the learning-rate explorer and the timing.

:func:`explore_learning_rate` (the explorer's ``compute``) trains the 2-h-1 sigmoid network of
:mod:`dlmath.batch` on :func:`~dlmath.batch.make_circles` by :func:`~dlmath.batch.batch_gradient_descent`
and evaluates it on a grid; :func:`plot_learning_rate` (its ``plot``) draws the loss curve and the decision
boundary.  :func:`time_gradients` times the per-example loop against the vectorized gradients.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from .batch import batch_gradient_descent, gradients_loop, init_params, loss_and_gradients, make_circles, predict_proba
from .errors import check_cache, check_epochs, check_figure, check_int, check_real, check_seed, reraise_as

#: The chapter's explorer grid: log10 of the learning rate, and the hidden width.
LR_GRID = np.linspace(-2.0, 2.0, 9)
HIDDEN_GRID = (2, 4, 8)


class LRResult(NamedTuple):
    """One frame of the learning-rate explorer."""

    lr: float
    hidden: int
    losses: np.ndarray  # (epochs + 1,)
    grid_x: np.ndarray  # (k,) first feature
    grid_y: np.ndarray  # (k,) second feature
    proba: np.ndarray  # (k, k) predicted P(y = 1) on the grid
    X: np.ndarray
    Y: np.ndarray
    accuracy: float


def explore_learning_rate(log10_lr: float, hidden: int = 4, epochs: int = 400, n: int = 200, seed: int = 0,
                          grid: int = 60) -> LRResult:
    r"""Train a 2-h-1 sigmoid network on :func:`make_circles` with :math:`\alpha = 10^{\text{log10\_lr}}`.

    Returns the loss curve and the predicted probability on a grid x grid square around the data
    (the decision boundary is its 0.5 level).  Same seed, same data and same initialisation for
    every learning rate, so frames differ only by :math:`\alpha` (and h).

    Returns
    -------
    LRResult(lr, hidden, losses (epochs + 1,), grid_x (grid,), grid_y (grid,), proba (grid, grid),
    X (n, 2), Y (n, 1), accuracy)
    """
    f = "explore_learning_rate"
    log10_lr = check_real(f, "log10_lr", log10_lr, low=-300, high=300)
    hidden, n = check_int(f, "hidden", hidden, 1), check_int(f, "n", n, 2)
    check_epochs(f, epochs), check_seed(f, seed)
    grid = check_int(f, "grid", grid, 2, "the evaluation grid needs at least 2 points per side")
    X, Y = make_circles(n, seed=seed)
    with reraise_as(f):
        trained = batch_gradient_descent(X, Y, init_params(2, hidden, seed=seed), 10.0**log10_lr, epochs)
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.linspace(lo[0], hi[0], grid), np.linspace(lo[1], hi[1], grid)
    G = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    proba = predict_proba(G, trained.params).reshape(grid, grid)
    acc = float(np.mean((predict_proba(X, trained.params) > 0.5) == (Y[:, 0] > 0.5)))
    return LRResult(10.0**log10_lr, int(hidden), trained.losses, gx, gy, proba, X, Y, acc)


def plot_learning_rate(result: LRResult, fig) -> None:
    """Draw an :class:`LRResult` on an empty figure: loss curve (left), decision boundary (right)."""
    check_cache("plot_learning_rate", result, LRResult, "explore_learning_rate", "result")
    check_figure("plot_learning_rate", fig)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"left": 0.08, "right": 0.98, "bottom": 0.16, "top": 0.89,
                                               "wspace": 0.25})
    ax1.semilogy(np.arange(result.losses.size), result.losses, color="C0", label="training loss")
    ax1.axhline(np.log(2.0), color="0.5", linestyle="--", linewidth=1, label="log 2 (always answers 1/2)")
    ax1.set_ylim(3e-3, 1e2)  # the same axis in every frame, so frames can be compared
    ax1.set(xlabel="epoch t", ylabel="loss J (log scale)",
            title=f"α = {result.lr:.3g}: final J = {result.losses[-1]:.3f}")
    ax1.legend(loc="upper right", fontsize=7)
    ax2.contourf(result.grid_x, result.grid_y, result.proba, levels=[0.0, 0.5, 1.0], colors=["C0", "C1"], alpha=0.25)
    ax2.contour(result.grid_x, result.grid_y, result.proba, levels=[0.5], colors="k", linewidths=1.0)
    y = result.Y[:, 0] > 0.5
    ax2.scatter(*result.X[~y].T, s=8, c="C0", label="y = 0")
    ax2.scatter(*result.X[y].T, s=8, c="C1", label="y = 1")
    ax2.set(xlabel="$x_1$", ylabel="$x_2$", title=f"h = {result.hidden}: accuracy {result.accuracy:.0%}")
    ax2.legend(loc="upper right", fontsize=7)


def time_gradients(n: int, d: int = 3, h: int = 4, repeat: int = 5, seed: int = 0) -> tuple[float, float]:
    """Best-of-``repeat`` seconds for :func:`gradients_loop` and :func:`loss_and_gradients` on n random rows."""
    rule, f = "need at least 1 example and 1 repeat", "time_gradients"
    n, d, h, repeat = (check_int(f, k, v, 1, rule) for k, v in (("n", n), ("d", d), ("h", h), ("repeat", repeat)))
    rng = np.random.default_rng(check_seed("time_gradients", seed))
    X, Y = rng.standard_normal((n, d)), (rng.random((n, 1)) < 0.5).astype(np.float64)
    p = init_params(d, h, seed)
    best = []
    for fn in (gradients_loop, loss_and_gradients):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn(X, Y, p)
            times.append(time.perf_counter() - t0)
        best.append(min(times))
    return best[0], best[1]
