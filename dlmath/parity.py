r"""Explicit networks for n-bit parity (chapter "Deep L-layer networks", section "Why depth").

Every construction returns a parameter dict ``{"W1", "b1", ...}`` for :func:`dlmath.deep.model_forward`
with ReLU hidden layers and an identity output; on inputs in {0, 1}^n the output is exactly the parity
:math:`x_1 \oplus \dots \oplus x_n` (0 or 1).  Inputs are columns: ``X`` (n, 2^n).

- :func:`xor_tree_params` — deep: a balanced tree of XOR gadgets, 2(n-1) units (+ pass-throughs) in
  :math:`\lceil\log_2 n\rceil` hidden layers.
- :func:`dnf_params` — shallow AND/OR circuit: one AND unit per odd-weight pattern, :math:`2^{n-1}` units.
- :func:`counting_params` — one hidden layer of n ReLU units that count the ones (a triangle wave).
- :func:`sawtooth_params` — deep again, but counting first: the count k/2^j folded j times by a tent map,
  :math:`2\lceil\log_2 n\rceil` units in :math:`\lceil\log_2 n\rceil` hidden layers.
  :func:`tent_power_params` is the fold on its own (Telgarsky's sawtooth on [0, 1]).
"""

from __future__ import annotations

import itertools

import numpy as np

from .deep import check_params
from .errors import ShapeError, as_array, is_whole, reraise_as


def _check_n(func: str, n: int) -> int:
    if not is_whole(n, 1):
        raise ShapeError(f"{func}: n must be a positive integer (got {n!r})")
    return int(n)


def all_inputs(n: int) -> np.ndarray:
    """All 2^n bit patterns as columns, shape (n, 2^n); column j is j written in binary (x_1 most significant)."""
    n = _check_n("all_inputs", n)
    return np.array(list(itertools.product([0.0, 1.0], repeat=n))).T.reshape(n, 2**n)


def parity(X) -> np.ndarray:
    r"""Reference parity :math:`(\sum_i x_i) \bmod 2` of each column, shape (1, m); X must hold only 0 and 1."""
    X = as_array("parity", "X", X, 2)
    if not np.all((X == 0) | (X == 1)):
        raise ShapeError(f"parity: X must contain only 0 and 1 (X {X.shape}, values {np.unique(X)[:5].tolist()}...)")
    return (X.sum(axis=0, keepdims=True) % 2).astype(np.float64)


def xor_tree_params(n: int) -> dict:
    r"""Deep parity network: a balanced tree of XOR gadgets.

    One gadget computes, for :math:`u, v \in \{0, 1\}`,

    .. math:: u \oplus v = \mathrm{ReLU}(u + v) - 2\,\mathrm{ReLU}(u + v - 1)

    Each hidden layer pairs up the values of the level below (a value is a linear combination of the
    previous layer's units, folded into the next layer's weights); an odd value out is passed on by one
    unit :math:`\mathrm{ReLU}(v) = v`.  Hidden layers: :math:`\lceil\log_2 n\rceil`; units: 2(n-1) for the
    gadgets plus the pass-throughs.

    Returns
    -------
    params : dict W1, b1, ..., W_{L}, b_{L}; the last layer is the identity output (1 unit)
    """
    n = _check_n("xor_tree_params", n)
    values = list(np.eye(n))  # each value = coefficient row over the current layer's units
    params, l = {}, 1
    while len(values) > 1:
        rows, biases, new_values = [], [], []
        for k in range(0, len(values) - 1, 2):
            s = values[k] + values[k + 1]
            rows += [s, s]
            biases += [0.0, -1.0]
            new_values.append((len(rows) - 2, [1.0, -2.0]))
        if len(values) % 2:
            rows.append(values[-1])
            biases.append(0.0)
            new_values.append((len(rows) - 1, [1.0]))
        params[f"W{l}"] = np.array(rows)
        params[f"b{l}"] = np.array(biases).reshape(-1, 1)
        values = []
        for start, coefs in new_values:
            c = np.zeros(len(rows))
            c[start:start + len(coefs)] = coefs
            values.append(c)
        l += 1
    params[f"W{l}"] = values[0].reshape(1, -1)
    params[f"b{l}"] = np.zeros((1, 1))
    return params


def dnf_params(n: int) -> dict:
    r"""Shallow parity network: the DNF "OR of ANDs", one AND unit per odd-weight pattern s.

    On binary inputs the unit for pattern s is an exact AND gate (it is 1 iff x = s, else 0):

    .. math:: h_s = \mathrm{ReLU}\Big(\sum_{i: s_i=1} x_i - \sum_{i: s_i=0} x_i - |s| + 1\Big),\qquad
              y = \sum_s h_s

    and at most one AND fires, so the sum is the OR.  Hidden units: :math:`2^{n-1}`.

    Returns
    -------
    params : dict W1 (2^{n-1}, n), b1, W2 (1, 2^{n-1}), b2
    """
    n = _check_n("dnf_params", n)
    S = all_inputs(n)
    S = S[:, S.sum(axis=0) % 2 == 1].T  # (2^{n-1}, n), one odd pattern per row
    return {"W1": 2 * S - 1, "b1": (1 - S.sum(axis=1)).reshape(-1, 1),
            "W2": np.ones((1, S.shape[0])), "b2": np.zeros((1, 1))}


def counting_params(n: int) -> dict:
    r"""One hidden layer of n ReLU units that count the ones: a triangle wave in :math:`k = \sum_i x_i`.

    .. math:: h_j = \mathrm{ReLU}(k - j),\ j = 0..n-1,\qquad
              y = h_0 + \sum_{j=1}^{n-1} 2(-1)^j h_j

    y is piecewise linear in k with slope +1 on [0, 1], -1 on [1, 2], +1 on [2, 3], ..., so y(k) = k mod 2
    at every integer k.

    Returns
    -------
    params : dict W1 (n, n), b1 (n, 1), W2 (1, n), b2 (1, 1)
    """
    n = _check_n("counting_params", n)
    j = np.arange(n)
    out = np.where(j == 0, 1.0, 2.0 * (-1.0) ** j)
    return {"W1": np.ones((n, n)), "b1": -j.reshape(-1, 1).astype(np.float64),
            "W2": out.reshape(1, -1), "b2": np.zeros((1, 1))}


def tent_power_params(j: int) -> dict:
    r"""The tent map :math:`t(x) = \mathrm{ReLU}(2x) - 2\,\mathrm{ReLU}(2x - 1)` composed j times, on a scalar x.

    On [0, 1], t rises from 0 to 1 and falls back to 0; :math:`t^{j} = t \circ \dots \circ t` is a sawtooth
    with :math:`2^{j-1}` teeth, i.e. :math:`2^{j}` linear pieces, made of 2j ReLU units in j hidden layers
    (each layer computes :math:`\mathrm{ReLU}(2t), \mathrm{ReLU}(2t - 1)` of the previous layer's
    :math:`t = h_1 - 2h_2`).  ``j = 0`` is the identity (no hidden layer).

    Returns
    -------
    params : dict W1 (2, 1), b1 (2, 1), W2..Wj (2, 2), b2..bj (2, 1), W_{j+1} (1, 2), b_{j+1} (1, 1)
    """
    if not is_whole(j, 0):
        raise ShapeError(f"tent_power_params: j must be a non-negative integer (got {j!r})")
    j = int(j)
    if j == 0:
        return {"W1": np.ones((1, 1)), "b1": np.zeros((1, 1))}
    fold_b = np.array([[0.0], [-1.0]])
    params = {"W1": np.array([[2.0], [2.0]]), "b1": fold_b.copy()}
    for l in range(2, j + 1):
        params[f"W{l}"] = np.array([[2.0, -4.0], [2.0, -4.0]])   # ReLU(2t), ReLU(2t - 1) with t = h1 - 2 h2
        params[f"b{l}"] = fold_b.copy()
    params[f"W{j + 1}"] = np.array([[1.0, -2.0]])
    params[f"b{j + 1}"] = np.zeros((1, 1))
    return params


def sawtooth_params(n: int) -> dict:
    r"""Deep parity network with :math:`2\lceil\log_2 n\rceil` units: count the ones, then fold.

    With :math:`j = \lceil\log_2 n\rceil` and :math:`k = \sum_i x_i \le n \le 2^j`,

    .. math:: y = t^{j}\big(k / 2^{j}\big) = k \bmod 2

    because t maps :math:`k/2^{j}` to :math:`k'/2^{j-1}` with :math:`k' \in \{k, 2^{j} - k\}`, which has the
    parity of k; after j folds the value is 0 or 1.  It is :func:`tent_power_params` with the first layer
    reading :math:`k/2^{j}` (input weights :math:`2/2^{j}`); every weight is a power of two, so the
    arithmetic is exact.

    Returns
    -------
    params : dict W1 (2, n), b1, ..., W_{j+1} (1, 2), b_{j+1}; for n = 1 just W1 = [[1]], b1 = [[0]]
    """
    n = _check_n("sawtooth_params", n)
    j = (n - 1).bit_length()  # = ceil(log2 n), exact for every n >= 1
    params = tent_power_params(j)
    params["W1"] = params["W1"] @ np.ones((1, n)) / 2.0**j
    return params


def network_size(params: dict) -> tuple[int, int]:
    """(hidden units, hidden layers) of a parameter dict: every layer but the last is hidden."""
    with reraise_as("network_size"):
        sizes = check_params(params)
    return sum(sizes[1:-1]), len(sizes) - 2
