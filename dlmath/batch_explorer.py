r"""The experiments of the chapter "Backprop on a batch": the learning-rate explorer, its regimes, the
curvature that sets the largest stable learning rate, and the timing.

:func:`explore_alpha` (the explorer's ``compute``; :func:`explore_learning_rate` takes
:math:`\log_{10}\alpha` instead) trains the 2-h-1 sigmoid network of :mod:`dlmath.batch` on
:func:`~dlmath.batch.make_circles` by :func:`~dlmath.batch.batch_gradient_descent` and evaluates it on a
grid; :func:`plot_learning_rate` (its ``plot``) draws the loss curve and the decision boundary.
:func:`loss_regime` names what a loss curve does at its end (settled, a two-cycle, erratic), so that a
run that never settles is described by its regime, not by its last iterate.
:func:`top_hessian_eigenvalue` measures the curvature :math:`\lambda` behind the stability limit
:math:`\alpha < 2/\lambda`.  :func:`time_gradients` times the per-example loop against the vectorized
gradients.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from .batch import (
    Params,
    batch_gradient_descent,
    check_params,
    gradients_loop,
    init_params,
    loss_and_gradients,
    make_circles,
    predict_proba,
)
from .errors import (
    ShapeError,
    as_array,
    check_cache,
    check_epochs,
    check_figure,
    check_int,
    check_real,
    check_seed,
    reraise_as,
)

#: log10 of the explorer's learning rates: half-decade steps, refined to tenths of a decade from
#: alpha = 5 to alpha = 25, where 2/lambda (the stability limit, 7 to 16 on this problem) lies.
LOG10_LR_GRID = (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 2.0)
#: The explorer's learning rates alpha themselves (computed as 10.0**v, exactly as
#: :func:`explore_learning_rate` does, so both give bit-identical runs), and the hidden widths.
LR_GRID = tuple(10.0**v for v in LOG10_LR_GRID)
HIDDEN_GRID = (2, 4, 8)

#: The regimes :func:`loss_regime` tells apart.
REGIMES = ("settled", "2-cycle", "erratic")


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


def explore_alpha(alpha: float, hidden: int = 4, epochs: int = 400, n: int = 200, seed: int = 0,
                  grid: int = 60) -> LRResult:
    r"""Train a 2-h-1 sigmoid network on :func:`make_circles` with learning rate :math:`\alpha`.

    Returns the loss curve and the predicted probability on a grid x grid square around the data
    (the decision boundary is its 0.5 level).  Same seed, same data and same initialisation for
    every learning rate, so frames differ only by :math:`\alpha` (and h).

    Returns
    -------
    LRResult(lr, hidden, losses (epochs + 1,), grid_x (grid,), grid_y (grid,), proba (grid, grid),
    X (n, 2), Y (n, 1), accuracy)
    """
    f = "explore_alpha"
    alpha = check_real(f, "alpha", alpha, low=0.0)
    return _explore(f, alpha, hidden, epochs, n, seed, grid)


def explore_learning_rate(log10_lr: float, hidden: int = 4, epochs: int = 400, n: int = 200, seed: int = 0,
                          grid: int = 60) -> LRResult:
    r""":func:`explore_alpha` with :math:`\alpha = 10^{\text{log10\_lr}}` (the same run, bit for bit)."""
    f = "explore_learning_rate"
    log10_lr = check_real(f, "log10_lr", log10_lr, low=-300, high=300)
    return _explore(f, 10.0**log10_lr, hidden, epochs, n, seed, grid)


def _explore(f: str, alpha: float, hidden, epochs, n, seed, grid) -> LRResult:
    hidden, n = check_int(f, "hidden", hidden, 1), check_int(f, "n", n, 2)
    check_epochs(f, epochs), check_seed(f, seed)
    grid = check_int(f, "grid", grid, 2, "the evaluation grid needs at least 2 points per side")
    X, Y = make_circles(n, seed=seed)
    with reraise_as(f):
        trained = batch_gradient_descent(X, Y, init_params(2, hidden, seed=seed), alpha, epochs)
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.linspace(lo[0], hi[0], grid), np.linspace(lo[1], hi[1], grid)
    G = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    proba = predict_proba(G, trained.params).reshape(grid, grid)
    acc = float(np.mean((predict_proba(X, trained.params) > 0.5) == (Y[:, 0] > 0.5)))
    return LRResult(alpha, int(hidden), trained.losses, gx, gy, proba, X, Y, acc)


def loss_regime(losses, tail: int = 100) -> str:
    r"""What a loss curve does over its last ``tail`` updates: ``"settled"``, ``"2-cycle"`` or ``"erratic"``.

    * settled: the loss never goes up, :math:`J_{t+1} \le J_t` for every t in the tail;
    * 2-cycle: it alternates between two levels, :math:`|J_{t+2} - J_t| \le 10^{-4}|J_t|` while
      consecutive values differ by more than 1 %;
    * erratic: anything else (the loss goes up and down without a pattern).

    The thresholds are far from the measured values of the chapter's runs (a two-cycle that drifts by
    :math:`10^{-7}`, jumps of 15 %), so the verdict is the same on every machine, even for a chaotic run
    whose last iterate is not.

    Parameters
    ----------
    losses : ndarray, shape (T,) with T >= tail + 1, finite
    tail : int >= 2, the number of final updates examined
    """
    f = "loss_regime"
    tail = check_int(f, "tail", tail, 2, "the tail needs at least 2 updates")
    losses = as_array(f, "losses", losses, 1)
    if losses.size < tail + 1:
        raise ShapeError(f"{f}: losses must hold at least tail + 1 = {tail + 1} values (losses {losses.shape})")
    end = losses[-tail - 1:]
    if np.all(np.diff(end) <= 0):
        return "settled"
    period_two = np.all(np.abs(end[2:] - end[:-2]) <= 1e-4 * np.abs(end[:-2]))
    if period_two and np.all(np.abs(end[1:] - end[:-1]) > 1e-2 * np.abs(end[:-1])):
        return "2-cycle"
    return "erratic"


def top_hessian_eigenvalue(X, Y, params: Params, eps: float = 1e-5) -> float:
    r"""Largest eigenvalue :math:`\lambda` of the Hessian of the mean cross-entropy :math:`J` at ``params``.

    The Hessian is built column by column from central differences of the exact gradient,
    :math:`H e_j \approx (\nabla J(\theta + \varepsilon e_j) - \nabla J(\theta - \varepsilon e_j))/2\varepsilon`,
    symmetrised, and diagonalised (:func:`numpy.linalg.eigvalsh`).  For the chapter's 2-4-1 network that is
    17 parameters, 34 gradients.  Near a minimum gradient descent is stable along the steepest direction
    exactly when :math:`\alpha < 2/\lambda`.

    Parameters
    ----------
    X : (n, d); Y : (n, 1) or (n,); params : Params(W1 (h, d), b1 (h, 1), W2 (1, h), b2 (1, 1))
    eps : step of the central differences (error :math:`O(\varepsilon^2)` plus rounding
        :math:`O(10^{-16}/\varepsilon)`: about 1e-10 at the default)

    Returns
    -------
    lam : float, the largest eigenvalue (at a minimum all are >= 0 and it is the curvature that limits alpha)
    """
    f = "top_hessian_eigenvalue"
    eps = check_real(f, "eps", eps, low=0.0, strict=True, high=1.0)
    X = as_array(f, "X", X, 2)
    p = check_params(f, params, X.shape[1])
    with reraise_as(f):
        loss_and_gradients(X, Y, p)  # checks Y against X once, with the caller's name
    sizes = [w.size for w in p]
    theta = np.concatenate([w.ravel() for w in p])

    def grad(v: np.ndarray) -> np.ndarray:
        parts = np.split(v, np.cumsum(sizes)[:-1])
        q = Params(*(part.reshape(w.shape) for part, w in zip(parts, p, strict=True)))
        return np.concatenate([g.ravel() for g in loss_and_gradients(X, Y, q)[1]])

    H = np.empty((theta.size, theta.size))
    for j in range(theta.size):
        step = np.zeros_like(theta)
        step[j] = eps
        H[:, j] = (grad(theta + step) - grad(theta - step)) / (2.0 * eps)
    return float(np.linalg.eigvalsh(0.5 * (H + H.T))[-1])


def plot_learning_rate(result: LRResult, fig) -> None:
    """Draw an :class:`LRResult` on an empty figure: loss curve (left), decision boundary (right).

    The loss panel's title names the run's regime (:func:`loss_regime`), not its last value, which for a
    chaotic run depends on the machine.  When the loss goes up somewhere in the last 30 updates, an inset
    shows them on a linear axis: an oscillation that the log axis flattens (a two-cycle between 11.6 and
    13.4) becomes visible.
    """
    check_cache("plot_learning_rate", result, LRResult, "explore_alpha or explore_learning_rate", "result")
    check_figure("plot_learning_rate", fig)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"left": 0.08, "right": 0.98, "bottom": 0.16, "top": 0.89,
                                               "wspace": 0.25})
    losses = result.losses
    epochs = np.arange(losses.size)
    ax1.semilogy(epochs, losses, color="C0", label="training loss")
    ax1.axhline(np.log(2.0), color="0.5", linestyle="--", linewidth=1, label="log 2 (always answers 1/2)")
    ax1.set_ylim(3e-3, 1e2)  # the same axis in every frame, so frames can be compared
    kind = loss_regime(losses) if losses.size > 100 else "settled"
    if kind == "settled":
        what = f"J = {losses[-1]:.3f} at the end"
    elif kind == "2-cycle":  # a stable cycle: its two levels are the same on every machine
        what = f"two-cycle, J = {losses[-2:].min():.3g} / {losses[-2:].max():.3g}"
    else:  # chaotic: its values depend on the last bits of the arithmetic, so only the regime is named
        what = "erratic, never settles"
    ax1.set(xlabel="epoch t", ylabel="loss J (log scale)", title=f"α = {result.lr:.3g}: {what}")
    ax1.legend(loc="upper right", fontsize=7)
    if losses.size > 31 and np.any(np.diff(losses[-31:]) > 0):
        inset = ax1.inset_axes([0.12, 0.1, 0.4, 0.33])
        inset.plot(epochs[-31:], losses[-31:], ".-", color="C3", linewidth=0.8, markersize=2.5)
        inset.set_title("last 30 epochs, linear axis", fontsize=6, pad=2)
        inset.tick_params(labelsize=6)
    ax2.contourf(result.grid_x, result.grid_y, result.proba, levels=[0.0, 0.5, 1.0], colors=["C0", "C1"], alpha=0.25)
    ax2.contour(result.grid_x, result.grid_y, result.proba, levels=[0.5], colors="k", linewidths=1.0)
    y = result.Y[:, 0] > 0.5
    ax2.scatter(*result.X[~y].T, s=8, c="C0", label="y = 0")
    ax2.scatter(*result.X[y].T, s=8, c="C1", label="y = 1")
    right = f"boundary at epoch {losses.size - 1} (keeps moving)" if kind == "erratic" else \
        f"accuracy {result.accuracy:.0%}"
    ax2.set(xlabel="$x_1$", ylabel="$x_2$", title=f"h = {result.hidden}: {right}")
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
