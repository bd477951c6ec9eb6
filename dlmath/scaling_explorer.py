r"""The input-scale vs learning-rate explorer and the stability map of the chapter "TestNet".

Every run trains TestNet on the two-class data of :func:`dlmath.scaling.make_blobs` multiplied by
:math:`s`, starting from the *same network function* at every scale: the He-initialised
:math:`W^{(1)}` divided by :math:`s` (so :math:`z^{(1)}` does not depend on :math:`s`).  By
:math:`J_s(W^{(1)}, \dots) = J_1(sW^{(1)}, \dots)` the only difference between scales is then the one the
:math:`s^2` rule predicts, and the predicted limit of a stable rate is :math:`2/\lambda_{\max}(s)`, the
largest Hessian eigenvalue at the point the scale-1 training reaches, carried to scale :math:`s`
(:func:`stability_limit`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .errors import ShapeError, as_array, check_cache, check_epochs, check_figure, check_real
from .scaling import init_params, make_blobs, standardize
from .scaling_rule import _descend, _one_hot, descend, loss_hessian

EPOCHS = 600  # steps per explorer frame: enough for a slow oscillation to show (~30 ms per run)
REFERENCE_LR = 0.3  # the fixed comparison run: standardized inputs at a rate that suits every parameter
TRAIN_LR, TRAIN_STEPS = 0.1, 3000  # how the scale-1 reference point is trained
LOSS_AXIS = (0.1, 10.0)  # fixed loss axis of every frame (log scale)
# Fixed log10 axes of the (s, alpha) plane; the rate axis reaches below the explorer's smallest rate (1e-7) so
# that the legend in the lower left corner never covers a run's dot.
SCALE_AXIS, RATE_AXIS = (-0.15, 3.15), (-10.2, 0.4)


@lru_cache(maxsize=1)
def _setting():
    """Data, start, standardized data, and the scale-1 Hessian at the trained point (computed once)."""
    X, y = make_blobs(120, 0)
    start = init_params(0)
    trained = descend(X, y, start, TRAIN_LR, TRAIN_STEPS).params
    return X, y, start, standardize(X)[0], loss_hessian(X, y, trained)


def stability_limit(scale: float) -> float:
    r"""Predicted largest stable rate :math:`2/\lambda_{\max}(T H_1 T)` at input scale ``scale``.

    :math:`H_1` is the Hessian (26 x 26) at the point that :data:`TRAIN_STEPS` steps of rate
    :data:`TRAIN_LR` reach on the scale-1 data, and :math:`T = \mathrm{diag}(s I_{12}, I_{14})` carries it to
    the equivalent point at scale :math:`s` (:math:`W^{(1)}/s`), where the Hessian is :math:`T H_1 T`.
    """
    s = check_real("stability_limit", "scale", scale, low=1e-6, high=1e6)
    H = _setting()[4]
    t = np.ones(26)
    t[:12] = s
    return float(2 / np.linalg.eigvalsh(t[:, None] * H * t[None, :])[-1])


class ScalingFrame(NamedTuple):
    """One explorer frame: the run at (scale, lr), the standardized reference run, and the prediction."""

    scale: float
    lr: float
    losses: np.ndarray
    increases: int
    diverged: bool
    reference_losses: np.ndarray
    limit: float


def scaling_frame(log10_scale: float, log10_lr: float, epochs: int = EPOCHS) -> ScalingFrame:
    r"""Train on the data times :math:`10^{\text{log10\_scale}}` at rate :math:`10^{\text{log10\_lr}}`
    (one rate for all parameters) from the scale-equivalent start; the explorer's ``compute``.

    Returns
    -------
    ScalingFrame; ``reference_losses`` (epochs,) is the standardized data at rate REFERENCE_LR (the
    same in every frame), ``limit`` the :func:`stability_limit` at this scale
    """
    f = "scaling_frame"
    log10_scale = check_real(f, "log10_scale", log10_scale, low=-6, high=6)
    log10_lr = check_real(f, "log10_lr", log10_lr, low=-12, high=1)
    epochs = check_epochs(f, epochs)
    X, y, start, _, _ = _setting()
    s, lr = 10.0**log10_scale, 10.0**log10_lr
    run = descend(s * X, y, start._replace(W1=start.W1 / s), lr, epochs)
    return ScalingFrame(s, lr, run.losses, run.increases, run.diverged, _reference(epochs).copy(),
                        stability_limit(s))


@lru_cache(maxsize=4)
def _reference(epochs: int) -> np.ndarray:
    """The standardized run at REFERENCE_LR: the same in every frame, so computed once per length."""
    X, y, start, Xstd, _ = _setting()
    return descend(Xstd, y, start, REFERENCE_LR, epochs).losses


def _rule_lines(ax) -> None:
    """The predicted limit log10(2/lambda_max) against log10 s, and the 1/s rule through the same start."""
    ls = np.linspace(SCALE_AXIS[0], SCALE_AXIS[1], 64)
    limit = np.log10([stability_limit(10.0**v) for v in ls])
    ax.plot(ls, limit, color="k", lw=1.5, label=r"$2/\lambda_{\max}$ (slope $-2$: $1/s^2$)")
    ax.plot(ls, limit[0] - (ls - ls[0]), color="0.45", ls="--", lw=1.2, label=r"a $1/s$ rule (slope $-1$)")
    ax.set_xlim(*SCALE_AXIS)
    ax.set_ylim(*RATE_AXIS)
    ax.set_xlabel(r"$\log_{10} s$ (input scale)")
    ax.set_ylabel(r"$\log_{10} \alpha$ (learning rate)")


def plot_scaling_frame(frame: ScalingFrame, fig) -> None:
    """Draw a :class:`ScalingFrame` on an empty figure: the losses (left, fixed log axes) and where the
    frame's (s, alpha) sits against the predicted limit (right, fixed axes)."""
    check_cache("plot_scaling_frame", frame, ScalingFrame, "scaling_frame", "frame")
    check_figure("plot_scaling_frame", fig)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.35, 1]})
    steps = np.arange(len(frame.losses))
    ax1.plot(steps, frame.reference_losses, "--", color="C0", lw=1.2,
             label=rf"standardized, $\alpha$ = {REFERENCE_LR:g}")
    ax1.plot(steps, frame.losses, color="C3", lw=1.2,
             label=rf"raw $\times${frame.scale:g}, $\alpha = {_tex(frame.lr)}$")
    ax1.set_yscale("log")
    ax1.set_ylim(*LOSS_AXIS)
    ax1.set_xlim(0, max(len(steps) - 1, 1))
    ax1.set_xlabel("gradient-descent step")
    ax1.set_ylabel("training loss $J$")
    verdict = "diverged" if frame.diverged else f"$J$ rose {frame.increases} times in {len(steps)} steps"
    ax1.set_title(verdict, fontsize=10)
    ax1.legend(loc="upper right", fontsize=8)
    _rule_lines(ax2)
    above = frame.lr > frame.limit
    ax2.plot([np.log10(frame.scale)], [np.log10(frame.lr)], "o", ms=8, color="C3" if above else "C2",
             label="this run")
    ax2.set_title(rf"$\alpha\,\lambda_{{\max}}/2 = {_tex(frame.lr / frame.limit)}$", fontsize=10)
    ax2.legend(loc="lower left", fontsize=7.5)
    # Fixed margins (tight_layout costs more than a frame's training) wide enough for tick labels like 10^0.
    fig.subplots_adjust(left=0.1, right=0.985, bottom=0.16, top=0.9, wspace=0.32)


def _tex(v: float) -> str:
    """Two significant digits as mathtext: 0.3, 44, 4.4\\times 10^{6} (no Python-style 4.4e+06 in a figure)."""
    mantissa, _, exponent = f"{v:.2g}".partition("e")
    return rf"{mantissa}\times 10^{{{int(exponent)}}}" if exponent else mantissa


class StabilityMap(NamedTuple):
    """Final loss and number of loss increases on a grid: rows are scales, columns rates."""

    log10_scales: np.ndarray
    log10_lrs: np.ndarray
    final_loss: np.ndarray
    increases: np.ndarray
    diverged: np.ndarray
    epochs: int


def stability_map(log10_scales, log10_lrs, epochs: int = 400) -> StabilityMap:
    """Run :func:`scaling_frame`'s training (without the reference) at every grid point.

    Returns
    -------
    StabilityMap with (len(log10_scales), len(log10_lrs)) arrays; a diverged run's final loss is inf
    """
    f = "stability_map"
    ls, la = as_array(f, "log10_scales", log10_scales, 1), as_array(f, "log10_lrs", log10_lrs, 1)
    for name, v, lo, hi in (("log10_scales", ls, -6, 6), ("log10_lrs", la, -12, 1)):
        if v.size == 0 or v.min() < lo or v.max() > hi:
            raise ShapeError(f"{f}: {name} must be a non-empty grid within [{lo}, {hi}] (got {v.size} values)")
    epochs = check_epochs(f, epochs)
    if epochs < 1:
        raise ShapeError(f"{f}: epochs must be at least 1 to have a final loss (epochs {epochs})")
    X, y, start, _, _ = _setting()
    Y = _one_hot(f, y, X.shape[1])
    shape = (ls.size, la.size)
    final, incs, div = np.full(shape, np.inf), np.zeros(shape, int), np.zeros(shape, bool)
    for i, e in enumerate(ls):
        s = 10.0**e
        for j, a in enumerate(la):
            with np.errstate(over="ignore", invalid="ignore"):
                losses, _, div[i, j] = _descend(s * X, Y, start.W1 / s, start.b1, start.W2, start.b2,
                                                np.full(4, 10.0**a), epochs)
            done = losses[np.isfinite(losses)]
            incs[i, j] = int(np.sum(np.diff(done) > 0))
            if not div[i, j] and done.size == epochs:
                final[i, j] = done[-1]
    return StabilityMap(ls.copy(), la.copy(), final, incs, div, epochs)


def plot_stability_map(smap: StabilityMap, fig) -> None:
    """The final loss over (log10 s, log10 alpha) as coloured cells, runs whose loss rose on more than 5 % of
    the steps marked with a dot, diverged runs with a cross, and the predicted limit as a line."""
    check_cache("plot_stability_map", smap, StabilityMap, "stability_map", "smap")
    check_figure("plot_stability_map", fig)
    ax = fig.subplots()
    ls, la = smap.log10_scales, smap.log10_lrs
    shown = np.where(np.isfinite(smap.final_loss), smap.final_loss, np.nan).T
    mesh = ax.pcolormesh(ls, la, shown, shading="nearest", cmap="viridis_r", norm="log", vmin=0.15, vmax=1.2)
    bar = fig.colorbar(mesh, ax=ax, label="training loss after the run")
    bar.set_ticks([0.15, 0.2, 0.3, 0.5, 0.7, 1.0], labels=["0.15", "0.2", "0.3", "0.5", "0.7", "1.0"])
    bar.minorticks_off()
    osc = (smap.increases > 0.05 * smap.epochs) & ~smap.diverged
    for mask, style, label in ((osc, dict(marker=".", color="w", ms=4), "loss rose on many steps"),
                               (smap.diverged, dict(marker="x", color="C3", ms=5), "diverged")):
        if mask.any():  # no legend entry for something the map does not show
            i, j = np.nonzero(mask)
            ax.plot(ls[i], la[j], ls="none", label=label, **style)
    _rule_lines(ax)
    ax.set_xlim(ls.min() - 0.15, ls.max() + 0.15)
    ax.set_ylim(la.min() - 0.15, la.max() + 0.15)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
