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

from .activations import ACTIVATIONS, ActivationCache, identity_backward, identity_forward  # noqa: F401
from .dimensions import LayerShapes, _check_sizes, dimension_table, format_dimension_table  # noqa: F401
from .errors import (
    ShapeError,
    as_array,
    check_bool,
    check_cache,
    check_callable,
    check_choice,
    check_epochs,
    check_learning_rate,
    check_real,
    check_seed,
    describe,
    reraise_as,
)
from .linear import LinearCache, linear_backward, linear_forward
from .losses import binary_cross_entropy_with_logits


class LayerCache(NamedTuple):
    """What layer l's backward block needs: the linear cache (A_prev, W, b) and the activation cache (Z, A)."""

    linear: LinearCache
    activation: ActivationCache


def _activation(func: str, name: str) -> tuple[Callable, Callable]:
    return ACTIVATIONS[check_choice(func, "activation", name, ACTIVATIONS)]


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
    Ws = [as_array(f, f"W{l}", params[f"W{l}"], 2) for l in range(1, L + 1)]
    sizes = [Ws[0].shape[1]]
    for l, W in enumerate(Ws, 1):
        b = as_array(f, f"b{l}", params[f"b{l}"], 2)
        if W.shape[1] != sizes[-1]:
            raise ShapeError(f"{f}: W{l} has {W.shape[1]} columns but layer {l - 1} has {sizes[-1]} units "
                             f"(W{l} {W.shape}, W{l - 1} {Ws[l - 2].shape}); W[l] must be (n[l], n[l-1])")
        if b.shape != (W.shape[0], 1):
            raise ShapeError(f"{f}: b{l} must be ({W.shape[0]}, 1) to match W{l} (W{l} {W.shape}, b{l} {b.shape})")
        sizes.append(W.shape[0])
    if layer_sizes is not None and _check_sizes(f, layer_sizes) != sizes:
        raise ShapeError(f"{f}: params describe layer sizes {sizes} but layer_sizes is {list(layer_sizes)}")
    return sizes


def init_params(layer_sizes, scheme: str = "he", seed: int = 0, scale: float = 0.01) -> dict:
    r"""Seeded initial parameters; every bias starts at 0.

    .. math:: W^{[l]}_{ij} \sim \mathcal N(0, \sigma_l^2),\quad \sigma_l^2 = \text{scale}^2\ \text{(small)},\
              \frac{2}{n^{[l-1]}}\ \text{(he)},\ \frac{1}{n^{[l-1]}}\ \text{(lecun)},\ \frac{2}{n^{[l-1]} + n^{[l]}}\
              \text{(xavier)}

    Parameters
    ----------
    layer_sizes : [n_0, ..., n_L]
    scheme : ``"small"`` (std ``scale``), ``"he"`` (He et al., for ReLU), ``"lecun"`` (LeCun et al. 1998, fan-in
        variance, for tanh/sigmoid) or ``"xavier"`` (Glorot and Bengio 2010, the fan-in/fan-out average; before
        issue 13 this name drew LeCun's variance, which is now ``"lecun"``)
    seed : seed of ``np.random.default_rng``

    Returns
    -------
    dict with W{l} (n_l, n_{l-1}) and b{l} (n_l, 1) for l = 1..L
    """
    sizes = [int(n) for n in _check_sizes("init_params", layer_sizes)]
    stds = {"small": lambda n_prev, n: scale, "he": lambda n_prev, n: np.sqrt(2.0 / n_prev),
            "lecun": lambda n_prev, n: np.sqrt(1.0 / n_prev), "xavier": lambda n_prev, n: np.sqrt(2.0 / (n_prev + n))}
    check_choice("init_params", "scheme", scheme, stds)
    scale = check_real("init_params", "scale (a standard deviation)", scale, low=0.0, strict=True)
    rng = np.random.default_rng(check_seed("init_params", seed))
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.standard_normal((sizes[l], sizes[l - 1])) * stds[scheme](sizes[l - 1], sizes[l])
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
    f = "model_forward"
    g_hidden, g_out = _activation(f, hidden)[0], _activation(f, output)[0]
    if check_bool(f, "check", check):
        sizes = check_params(params)  # named check_params: the chapter prints one of its messages
        X = as_array(f, "X", X, 2)
        if X.shape[0] != sizes[0]:
            raise ShapeError(f"{f}: X has {X.shape[0]} rows but W1 expects {sizes[0]} inputs "
                             f"(X {X.shape}, W1 {np.shape(params['W1'])}); X must be (n_0, m)")
    A, caches, L = X, [], len(params) // 2
    for l in range(1, L + 1):
        with reraise_as(f, f"layer {l}"):
            Z, lin = linear_forward(A, params[f"W{l}"], params[f"b{l}"])
        A, act = (g_out if l == L else g_hidden)(Z)
        caches.append(LayerCache(lin, act))
    return A, caches


def model_backward(dAL, caches: list, hidden: str = "relu", output: str = "identity", *, check: bool = True,
                   return_dA: bool = False) -> dict:
    r"""Backward pass: run each layer's backward block from L down to 1.

    .. math:: dZ^{[l]} = dA^{[l]} \odot g'(Z^{[l]}),\ dW^{[l]} = dZ^{[l]} A^{[l-1]\top},\
              db^{[l]} = \textstyle\sum_j dZ^{[l]}_{:,j},\ dA^{[l-1]} = W^{[l]\top} dZ^{[l]}

    Parameters
    ----------
    dAL : ndarray, shape (n_L, m), gradient of the loss w.r.t. the output (it carries the 1/m)
    caches : list from :func:`model_forward`
    hidden, output : the activations ``model_forward`` used; with ``check`` each layer's cache is verified
        (:math:`A = g(Z)`), so a backward pass with the wrong derivative fails instead of returning wrong numbers
    return_dA : also keep every intermediate :math:`dA^{[l]} = \partial J/\partial A^{[l]}`, l = 1..L-1, the
        gradient each backward block hands to the block on its left (the course seed 004 follows keeps them)

    Returns
    -------
    dict with dW{l}, db{l} (shapes of W{l}, b{l}) for l = 1..L, and dA0 (shape of X); with ``return_dA``
    also dA{l} (shape of A{l}) for l = 1..L-1
    """
    f = "model_backward"
    g_hidden, b_hidden = _activation(f, hidden)
    g_out, b_out = _activation(f, output)
    if not isinstance(caches, list | tuple) or not caches:
        raise ShapeError(f"{f}: caches must be the non-empty list of LayerCache from model_forward "
                         f"(got {describe(caches)})")
    L, keep_dA = len(caches), check_bool(f, "return_dA", return_dA)
    for l, c in enumerate(caches):
        check_cache(f, c, LayerCache, "model_forward", f"caches[{l}]")
    dA = as_array(f, "dAL", dAL, 2)
    if dA.shape != np.shape(caches[-1].activation.A):
        raise ShapeError(f"{f}: dAL must have the shape of the output AL "
                         f"(dAL {dA.shape}, AL {np.shape(caches[-1].activation.A)})")
    if check_bool(f, "check", check):
        for l, c in enumerate(caches, 1):
            name, g = (output, g_out) if l == L else (hidden, g_hidden)
            if l > 1 and np.shape(c.linear.A_prev) != np.shape(caches[l - 2].activation.A):
                raise ShapeError(f"{f}: caches[{l - 1}] does not follow caches[{l - 2}]; pass the list in the order "
                                 f"model_forward returned it")
            if not np.allclose(g(c.activation.Z)[0], c.activation.A, rtol=1e-12, atol=1e-15):
                raise ShapeError(f"{f}: layer {l}'s cache does not satisfy A = {name}(Z); pass model_backward the "
                                 f"hidden/output activations that model_forward used")
    grads = {}
    for l in range(L, 0, -1):
        lin, act = caches[l - 1]
        with reraise_as(f, f"layer {l}"):
            dZ = (b_out if l == L else b_hidden)(dA, act)
            dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_backward(dZ, lin)
        if keep_dA and l > 1:
            grads[f"dA{l - 1}"] = dA
    grads["dA0"] = dA
    return grads


def update_params(params: dict, grads: dict, lr: float, *, check: bool = True) -> dict:
    r"""One gradient-descent step, returning new arrays: :math:`W^{[l]} \leftarrow W^{[l]} - \alpha\, dW^{[l]}`.

    With ``check=False`` (used by ``train`` after its first step) the shapes are trusted.
    """
    if not check_bool("update_params", "check", check):
        return {k: v - lr * grads["d" + k] for k, v in params.items()}
    check_learning_rate("update_params", lr)
    with reraise_as("update_params", "params"):
        sizes = check_params(params)
    if not isinstance(grads, dict):
        raise ShapeError(f"update_params: grads must be the dict from model_backward (got {describe(grads)})")
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
    f = "train"
    epochs, lr = check_epochs(f, epochs), check_learning_rate(f, lr)
    check_callable(f, "loss", loss)
    _activation(f, hidden), _activation(f, output)
    with reraise_as(f, "params"):
        n0 = check_params(params)[0]
    X, Y = as_array(f, "X", X, 2), as_array(f, "Y", Y)
    if X.shape[0] != n0:
        raise ShapeError(f"{f}: X has {X.shape[0]} rows but W1 expects {n0} inputs (X {X.shape}); X must be (n_0, m)")
    if Y.ndim not in (1, 2) or Y.shape[-1] != X.shape[1]:
        raise ShapeError(f"{f}: Y must hold one label per column of X (X {X.shape}, Y {Y.shape})")
    if epochs == 0:  # nothing to train, but Y must still suit the loss
        with reraise_as(f, "loss"):
            loss(model_forward(X, params, hidden, output, check=False)[0], Y)
    history = np.empty(epochs)
    for t in range(epochs):
        with reraise_as(f, f"epoch {t}"):
            AL, caches = model_forward(X, params, hidden, output, check=False)
            out = loss(AL, Y)
            if not (isinstance(out, tuple) and len(out) == 2):
                raise ShapeError(f"{f}: loss must return (value, dAL) (got {describe(out)})")
            history[t], dAL = check_real(f, f"the loss at epoch {t} (lower the learning rate?)", out[0]), out[1]
            grads = model_backward(dAL, caches, hidden, output, check=t == 0)
            params = update_params(params, grads, lr, check=t == 0)
    return {k: np.array(v, dtype=np.float64) for k, v in params.items()}, history  # copies, even for epochs = 0
