r"""Deep L-layer networks assembled from the core blocks (chapter "Deep L-layer networks").

Layer :math:`l = 1..L` computes :math:`Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}`, :math:`A^{[l]} = g^{[l]}(Z^{[l]})`
with examples as columns (seed 004): ``W{l}`` (n_l, n_{l-1}), ``b{l}`` (n_l, 1), ``Z``/``A`` (n_l, m).
Every layer is :func:`dlmath.linear.linear_forward` followed by an activation from
:mod:`dlmath.activations`; the backward pass calls the matching ``*_backward`` functions in reverse.
Nothing here divides by m: the loss's gradient ``dAL`` already carries the 1/m.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .activations import (
    ActivationCache,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    tanh_backward,
    tanh_forward,
)
from .errors import ShapeError, as_array, check_epochs, check_learning_rate
from .linear import LinearCache, linear_backward, linear_forward
from .losses import binary_cross_entropy_with_logits


def identity_forward(Z) -> tuple[np.ndarray, ActivationCache]:
    r"""The identity activation :math:`A = Z` (an output layer that emits logits)."""
    Z = as_array("identity_forward", "Z", Z)
    return Z, ActivationCache(Z, Z)


def identity_backward(dA, cache: ActivationCache) -> np.ndarray:
    r""":math:`dZ = dA` (a copy, so the caller's array is never shared)."""
    dA = as_array("identity_backward", "dA", dA)
    if dA.shape != cache.Z.shape:
        raise ShapeError(f"identity_backward: dA must have the shape of Z (dA {dA.shape}, Z {cache.Z.shape})")
    return dA.copy()


ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "relu": (relu_forward, relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "identity": (identity_forward, identity_backward),
}


class LayerShapes(NamedTuple):
    """Shapes of one layer's arrays; each gradient dW, db, dZ, dA has the shape of W, b, Z, A."""

    l: int
    W: tuple
    b: tuple
    Z: tuple
    A: tuple


class LayerCache(NamedTuple):
    """What layer l's backward block needs: the linear cache (A_prev, W, b) and the activation cache (Z, A)."""

    linear: LinearCache
    activation: ActivationCache


def _activation(func: str, name: str) -> tuple[Callable, Callable]:
    if name not in ACTIVATIONS:
        raise ShapeError(f"{func}: unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def _check_sizes(func: str, layer_sizes) -> list[int]:
    sizes = list(layer_sizes)
    if len(sizes) < 2 or any(int(n) != n or n < 1 for n in sizes):
        raise ShapeError(f"{func}: layer_sizes must be [n_0, n_1, ..., n_L], at least two positive integers "
                         f"(got {sizes})")
    return [int(n) for n in sizes]


def dimension_table(layer_sizes, m: int | str = "m") -> list[LayerShapes]:
    r"""Shapes of :math:`W^{[l]}, b^{[l]}, Z^{[l]}, A^{[l]}` for :math:`l = 0..L` (row 0 is the input).

    .. math:: W^{[l]}: (n^{[l]}, n^{[l-1]}),\quad b^{[l]}: (n^{[l]}, 1),\quad Z^{[l]}, A^{[l]}: (n^{[l]}, m)

    Parameters
    ----------
    layer_sizes : sequence [n_0, n_1, ..., n_L] (n_0 inputs, n_L outputs)
    m : number of examples, or the symbol ``"m"``

    Returns
    -------
    list of LayerShapes(l, W, b, Z, A); for l = 0 only A (= X) is set, the rest are ``None``.
    """
    sizes = _check_sizes("dimension_table", layer_sizes)
    if not isinstance(m, str) and (int(m) != m or m < 1):
        raise ShapeError(f"dimension_table: m must be a positive number of examples or a symbol (got {m!r})")
    rows = [LayerShapes(0, None, None, None, (sizes[0], m))]
    for l in range(1, len(sizes)):
        rows.append(LayerShapes(l, (sizes[l], sizes[l - 1]), (sizes[l], 1), (sizes[l], m), (sizes[l], m)))
    return rows


def format_dimension_table(layer_sizes, m: int | str = "m") -> str:
    """The :func:`dimension_table` as aligned text, one line per layer."""
    head = ("l", "W[l] = dW[l]", "b[l] = db[l]", "Z[l] = dZ[l]", "A[l] = dA[l]")
    body = [(str(row.l), *("-" if v is None else f"({v[0]}, {v[1]})" for v in row[1:]))
            for row in dimension_table(layer_sizes, m)]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(5)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [head, *body])


def check_params(params: dict, layer_sizes=None) -> list[int]:
    """Check a parameter dict ``{"W1", "b1", ..., "WL", "bL"}`` and return its layer sizes [n_0, ..., n_L].

    Raises :class:`ShapeError` naming the offending key and shapes when a key is missing or unexpected,
    when ``W{l}`` does not have ``n_{l-1}`` columns, when ``b{l}`` is not (n_l, 1), or when the sizes
    differ from ``layer_sizes`` (if given).
    """
    f = "check_params"
    if not isinstance(params, dict) or "W1" not in params:
        raise ShapeError(f"{f}: params must be a dict with keys W1, b1, ..., WL, bL (got {type(params).__name__}"
                         f"{' without W1' if isinstance(params, dict) else ''})")
    L = 0
    while f"W{L + 1}" in params:
        L += 1
    expected = {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}
    if missing := sorted(expected - params.keys()):
        raise ShapeError(f"{f}: missing {', '.join(missing)} for an {L}-layer network (keys {sorted(params)})")
    if extra := sorted(params.keys() - expected):
        raise ShapeError(f"{f}: unexpected key(s) {', '.join(extra)}; layers must be numbered 1..L without gaps "
                         f"(found W1..W{L})")
    sizes = [as_array(f, "W1", params["W1"], 2).shape[1]]
    for l in range(1, L + 1):
        W = as_array(f, f"W{l}", params[f"W{l}"], 2)
        b = as_array(f, f"b{l}", params[f"b{l}"], 2)
        if W.shape[1] != sizes[-1]:
            raise ShapeError(f"{f}: W{l} has {W.shape[1]} columns but layer {l - 1} has {sizes[-1]} units "
                             f"(W{l} {W.shape}, W{l - 1} {params[f'W{l - 1}'].shape}); "
                             f"W[l] must be (n[l], n[l-1])")
        if b.shape != (W.shape[0], 1):
            raise ShapeError(f"{f}: b{l} must be ({W.shape[0]}, 1) to match W{l} (W{l} {W.shape}, b{l} {b.shape})")
        sizes.append(W.shape[0])
    if layer_sizes is not None and list(layer_sizes) != sizes:
        raise ShapeError(f"{f}: params describe layer sizes {sizes} but layer_sizes is {list(layer_sizes)}")
    return sizes


def init_params(layer_sizes, scheme: str = "he", seed: int = 0, scale: float = 0.01) -> dict:
    r"""Seeded initial parameters; every bias starts at 0.

    .. math:: W^{[l]}_{ij} \sim \mathcal N(0, \sigma_l^2),\quad
              \sigma_l = \text{scale (small)},\ \sqrt{2/n^{[l-1]}}\ \text{(he)},\ \sqrt{1/n^{[l-1]}}\ \text{(xavier)}

    Parameters
    ----------
    layer_sizes : [n_0, ..., n_L]
    scheme : ``"small"`` (std ``scale``), ``"he"`` (for ReLU) or ``"xavier"`` (for tanh/sigmoid; the fan-in form,
        not Glorot and Bengio's own variance :math:`2/(n^{[l-1]} + n^{[l]})`)
    seed : seed of ``np.random.default_rng``

    Returns
    -------
    dict with W{l} (n_l, n_{l-1}) and b{l} (n_l, 1) for l = 1..L
    """
    sizes = _check_sizes("init_params", layer_sizes)
    stds = {"small": lambda n_prev: scale, "he": lambda n_prev: np.sqrt(2.0 / n_prev),
            "xavier": lambda n_prev: np.sqrt(1.0 / n_prev)}
    if scheme not in stds:
        raise ShapeError(f"init_params: unknown scheme {scheme!r}; choose one of {sorted(stds)}")
    if not (np.isfinite(scale) and scale > 0):
        raise ShapeError(f"init_params: scale must be a positive finite standard deviation (got {scale!r})")
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.standard_normal((sizes[l], sizes[l - 1])) * stds[scheme](sizes[l - 1])
        params[f"b{l}"] = np.zeros((sizes[l], 1))
    return params


def model_forward(X, params: dict, hidden: str = "relu", output: str = "identity", *,
                  check: bool = True) -> tuple[np.ndarray, list]:
    r"""Forward pass through all L layers, keeping every layer's cache.

    .. math:: A^{[0]} = X,\quad A^{[l]} = g^{[l]}(W^{[l]} A^{[l-1]} + b^{[l]}),\ g^{[l]} = \text{hidden for } l<L,
              \ \text{output for } l = L

    Parameters
    ----------
    X : ndarray, shape (n_0, m)
    params : dict W1, b1, ..., WL, bL (checked by :func:`check_params`)
    hidden, output : names in ``ACTIVATIONS``
    check : run :func:`check_params` and the X check (``train`` checks once, then skips them)

    Returns
    -------
    AL : (n_L, m); caches : list of L LayerCache, caches[l-1] for layer l
    """
    if check:
        sizes = check_params(params)
        X = as_array("model_forward", "X", X, 2)
        if X.shape[0] != sizes[0]:
            raise ShapeError(f"model_forward: X has {X.shape[0]} rows but W1 expects {sizes[0]} inputs "
                             f"(X {X.shape}, W1 {params['W1'].shape}); X must be (n_0, m)")
    g_hidden, g_out = _activation("model_forward", hidden)[0], _activation("model_forward", output)[0]
    A, caches, L = X, [], len(params) // 2
    for l in range(1, L + 1):
        Z, lin = linear_forward(A, params[f"W{l}"], params[f"b{l}"])
        A, act = (g_out if l == L else g_hidden)(Z)
        caches.append(LayerCache(lin, act))
    return A, caches


def model_backward(dAL, caches: list, hidden: str = "relu", output: str = "identity", *, check: bool = True) -> dict:
    r"""Backward pass: run each layer's backward block from L down to 1.

    .. math:: dZ^{[l]} = dA^{[l]} \odot g'(Z^{[l]}),\ dW^{[l]} = dZ^{[l]} A^{[l-1]\top},\
              db^{[l]} = \textstyle\sum_j dZ^{[l]}_{:,j},\ dA^{[l-1]} = W^{[l]\top} dZ^{[l]}

    Parameters
    ----------
    dAL : ndarray, shape (n_L, m), gradient of the loss w.r.t. the output (it carries the 1/m)
    caches : list from :func:`model_forward`
    hidden, output : the activations ``model_forward`` used; with ``check`` each layer's cache is verified
        (:math:`A = g(Z)`), so a backward pass with the wrong derivative fails instead of returning wrong numbers

    Returns
    -------
    dict with dW{l}, db{l} (shapes of W{l}, b{l}) for l = 1..L, and dA0 (shape of X)
    """
    f = "model_backward"
    dA = as_array(f, "dAL", dAL, 2)
    L = len(caches)
    if L == 0 or dA.shape != caches[-1].activation.A.shape:
        raise ShapeError(f"{f}: dAL must have the shape of the output AL "
                         f"(dAL {dA.shape}, AL {caches[-1].activation.A.shape if L else None})")
    g_hidden, b_hidden = _activation(f, hidden)
    g_out, b_out = _activation(f, output)
    if check:
        for l, c in enumerate(caches, 1):
            name, g = (output, g_out) if l == L else (hidden, g_hidden)
            if not isinstance(c, LayerCache):
                raise ShapeError(f"{f}: caches[{l - 1}] is a {type(c).__name__}, not a LayerCache from model_forward")
            if not np.allclose(g(c.activation.Z)[0], c.activation.A, rtol=1e-12, atol=1e-15):
                raise ShapeError(f"{f}: layer {l}'s cache does not satisfy A = {name}(Z); pass model_backward the "
                                 f"hidden/output activations that model_forward used")
    grads = {}
    for l in range(L, 0, -1):
        lin, act = caches[l - 1]
        dZ = (b_out if l == L else b_hidden)(dA, act)
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_backward(dZ, lin)
    grads["dA0"] = dA
    return grads


def update_params(params: dict, grads: dict, lr: float, *, check: bool = True) -> dict:
    r"""One gradient-descent step, returning new arrays: :math:`W^{[l]} \leftarrow W^{[l]} - \alpha\, dW^{[l]}`.

    With ``check=False`` (used by ``train`` after its first step) the shapes are trusted.
    """
    if not check:
        return {k: v - lr * grads["d" + k] for k, v in params.items()}
    check_learning_rate("update_params", lr)
    sizes = check_params(params)
    new = {}
    for l in range(1, len(sizes)):
        for p in "Wb":
            g = as_array("update_params", f"d{p}{l}", grads.get(f"d{p}{l}"))
            if g.shape != params[f"{p}{l}"].shape:
                raise ShapeError(f"update_params: d{p}{l} must have the shape of {p}{l} "
                                 f"(d{p}{l} {g.shape}, {p}{l} {params[f'{p}{l}'].shape})")
            new[f"{p}{l}"] = params[f"{p}{l}"] - lr * g
    return new


def train(X, Y, params: dict, lr: float = 0.1, epochs: int = 1000, hidden: str = "relu", output: str = "identity",
          loss: Callable = binary_cross_entropy_with_logits) -> tuple[dict, np.ndarray]:
    """Full-batch gradient descent: forward, loss, backward, update, ``epochs`` times.

    Parameters
    ----------
    X : (n_0, m); Y : labels in the form ``loss`` expects
    params : initial parameters (not modified)
    loss : ``loss(AL, Y) -> (value, dAL)``, averaged over m (default: binary cross-entropy on logits)

    Returns
    -------
    params : trained parameters; history : (epochs,) loss before each step
    """
    epochs = check_epochs("train", epochs)
    history = np.empty(epochs)
    for t in range(epochs):
        AL, caches = model_forward(X, params, hidden, output, check=t == 0)  # shapes never change after step 0
        history[t], dAL = loss(AL, Y)
        params = update_params(params, model_backward(dAL, caches, hidden, output, check=t == 0), lr, check=t == 0)
    return params, history
