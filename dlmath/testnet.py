r"""TestNet 3-4-2 and the input-scaling experiment (chapter "TestNet", after seed 000).

TestNet (seed ``000_4a358cd969547fcd.txt``): 3 inputs -> 4 ReLU hidden units -> 2 linear outputs ->
softmax score -> cross-entropy.  Examples are columns: ``X`` (3, m), ``W1`` (4, 3), ``b1`` (4, 1),
``W2`` (2, 4), ``b2`` (2, 1).  The network is *assembled* from the core layer functions
(:func:`~dlmath.linear.linear_forward`, :func:`~dlmath.activations.relu_forward`, ...); nothing here
re-derives a layer.

The second half measures why inputs must be scaled: :math:`\partial J/\partial W^{(1)} = \delta^{(1)} x^\top`
grows with the input, so a learning rate that works for standardized inputs diverges on raw ones.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import ActivationCache, relu_backward, relu_forward
from .errors import ShapeError, as_array
from .linear import LinearCache, linear_backward, linear_forward
from .losses import softmax_cross_entropy

# Training stops (and the rest of the curve is NaN) once a parameter's magnitude passes this:
# far beyond any sensible weight, yet small enough that logits stay well inside float64.
DIVERGENCE_LIMIT = 1e6
# The explorer's gradient-norm panel leaves out norms below this ("zero" for training purposes): a dead
# network's norms of 1e-90 would otherwise stretch the log axis over ~100 decades of slow-to-draw ticks.
GRAD_NORM_FLOOR = 1e-10
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
    if len(params) != len(SHAPES):
        raise ShapeError(f"{func}: params must be the 4 arrays (W1, b1, W2, b2), got {len(params)}")
    arrays = [as_array(func, name, value, 2) for name, value in zip(SHAPES, params, strict=True)]
    for (name, shape), arr in zip(SHAPES.items(), arrays, strict=True):
        if arr.shape != shape:
            raise ShapeError(f"{func}: TestNet needs {name} of shape {shape} (got {name} {arr.shape})")
    return TestNetParams(*arrays)


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
    params = check_params("testnet_forward", params)
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
    dZ2 = as_array("testnet_backward", "dZ2", dZ2, 2)
    dA1, dW2, db2 = linear_backward(dZ2, cache.lin2)
    dZ1 = relu_backward(dA1, cache.act1)
    _, dW1, db1 = linear_backward(dZ1, cache.lin1)
    return TestNetGrads(dZ2, dW2, db2, dA1, dZ1, dW1, db1)


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
    Z2, cache = testnet_forward(X, params)
    loss, dZ2 = softmax_cross_entropy(Z2, Y)
    return loss, testnet_backward(dZ2, cache)


def _check_lr(func: str, lr: float) -> None:
    if not np.isfinite(lr) or lr < 0:
        raise ShapeError(f"{func}: the learning rate must be a finite number >= 0 (lr {lr})")


def sgd_step(params: TestNetParams, grads: TestNetGrads, lr: float) -> TestNetParams:
    r"""One gradient-descent step, :math:`\theta \leftarrow \theta - \alpha\,\partial J/\partial\theta` (new arrays).

    Each gradient must have its parameter's shape (no broadcasting); ``lr`` must be finite and >= 0."""
    params = check_params("sgd_step", params)
    _check_lr("sgd_step", lr)
    for name, p, g in zip(SHAPES, params, (grads.dW1, grads.db1, grads.dW2, grads.db2), strict=True):
        if np.shape(g) != p.shape:
            raise ShapeError(f"sgd_step: d{name} must have the shape of {name} ({name} {p.shape}, "
                             f"d{name} {np.shape(g)})")
    return TestNetParams(
        params.W1 - lr * grads.dW1, params.b1 - lr * grads.db1, params.W2 - lr * grads.dW2, params.b2 - lr * grads.db2
    )


def gradient_norms(grads: TestNetGrads) -> np.ndarray:
    r"""Frobenius norms :math:`(\|dW^{(1)}\|, \|db^{(1)}\|, \|dW^{(2)}\|, \|db^{(2)}\|)`, shape (4,)."""
    return np.array([np.linalg.norm(g) for g in (grads.dW1, grads.db1, grads.dW2, grads.db2)])


def gradient_norms_vs_scale(X, Y, params: TestNetParams, scales) -> np.ndarray:
    r"""Gradient norms per layer when the input is multiplied by each scale s: rows are
    :func:`gradient_norms` of the loss at :math:`s X`.

    Returns
    -------
    norms : (len(scales), 4), columns ||dW1||, ||db1||, ||dW2||, ||db2||
    """
    X = as_array("gradient_norms_vs_scale", "X", X, 2)
    scales = as_array("gradient_norms_vs_scale", "scales", scales, 1)
    return np.array([gradient_norms(testnet_loss_and_grads(s * X, Y, params)[1]) for s in scales]).reshape(-1, 4)


# -- training on raw vs standardized inputs -----------------------------------------------------------


def make_blobs(m: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian classes in 3-D, unit spread, centres (-1, 0.5, 0.5) and (1, -0.5, -0.5) shifted by (3, -2, 1).

    Returns
    -------
    X : (3, m) raw inputs at scale 1; y : (m,) integer labels, half 0 and half 1
    """
    if m < 2:
        raise ShapeError(f"make_blobs: need at least 2 examples, one per class (m {m})")
    rng = np.random.default_rng(seed)
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
    mean, std = X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True)
    if np.any(std == 0):
        raise ShapeError(f"standardize: a feature is constant over the examples, so it cannot be scaled (X {X.shape})")
    return (X - mean) / std, mean, std


_standardize = standardize  # scaling_explorer's argument is also called ``standardize``


def init_params(seed: int = 0) -> TestNetParams:
    """He-initialised weights (std sqrt(2 / fan_in)) and zero biases, from ``np.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
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
    params = check_params("train_testnet", params)
    _check_lr("train_testnet", lr)
    if int(epochs) != epochs or epochs < 0:
        raise ShapeError(f"train_testnet: epochs must be a whole number >= 0 (epochs {epochs})")
    losses, norms = np.full(int(epochs), np.nan), np.full((int(epochs), 4), np.nan)
    for t in range(int(epochs)):
        if max(np.abs(p).max() for p in params) > DIVERGENCE_LIMIT:
            return TrainResult(losses, norms, params, True)
        losses[t], grads = testnet_loss_and_grads(X, y, params)
        norms[t] = gradient_norms(grads)
        params = sgd_step(params, grads, lr)
    return TrainResult(losses, norms, params, False)


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
    if not (np.isfinite(log10_scale) and np.isfinite(log10_lr)):
        raise ShapeError(f"scaling_explorer: log10_scale and log10_lr must be finite ({log10_scale}, {log10_lr})")
    X, y = make_blobs(m, seed)
    scale, lr = 10.0**log10_scale, 10.0**log10_lr
    Xs = _standardize(scale * X)[0]
    ref = train_testnet(Xs, y, init_params(seed), lr, epochs)
    run = ref if standardize else train_testnet(scale * X, y, init_params(seed), lr, epochs)
    return ScalingRun(scale, lr, bool(standardize), run.losses, run.grad_norms, run.diverged, ref.losses)


def plot_scaling_run(run: ScalingRun, fig) -> None:
    """Draw a :class:`ScalingRun` on an empty figure: loss curves (left) and per-layer gradient norms (right).

    Gradient norms below ``GRAD_NORM_FLOOR`` are not drawn (the line stops where learning has stopped)."""
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
