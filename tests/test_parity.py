"""Tests for dlmath.parity: each construction is checked on every input against sum(x) mod 2."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmath.deep import check_params, model_forward
from dlmath.errors import ShapeError
from dlmath.parity import (
    all_inputs,
    counting_params,
    dnf_params,
    network_size,
    parity,
    sawtooth_params,
    tent_power_params,
    xor_tree_params,
)

CONSTRUCTIONS = [xor_tree_params, dnf_params, counting_params, sawtooth_params]


def _slow_parity(bits) -> int:
    """Obvious oracle: XOR the bits one at a time."""
    out = 0
    for b in bits:
        out ^= int(b)
    return out


def test_all_inputs_and_parity_against_oracle():
    X = all_inputs(3)
    assert X.shape == (3, 8)
    assert {tuple(c) for c in X.T} == {(a, b, c) for a in (0, 1) for b in (0, 1) for c in (0, 1)}
    assert parity(X).tolist() == [[_slow_parity(c) for c in X.T]]


@pytest.mark.parametrize("n", range(1, 11))
@pytest.mark.parametrize("build", CONSTRUCTIONS)
def test_exhaustive(build, n):
    X = all_inputs(n)
    params = build(n)
    check_params(params)
    out, _ = model_forward(X, params, hidden="relu", output="identity")
    expected = np.array([[_slow_parity(c) for c in X.T]], dtype=float)
    np.testing.assert_array_equal(out, expected)  # exact: every weight is a small integer


@pytest.mark.parametrize("n", range(2, 17))
def test_sizes(n):
    units, depth = network_size(xor_tree_params(n))
    assert depth == math.ceil(math.log2(n))
    assert 2 * (n - 1) <= units <= 2 * (n - 1) + depth  # one pass-through unit per layer at most
    assert network_size(dnf_params(n)) == (2 ** (n - 1), 1)
    assert network_size(counting_params(n)) == (n, 1)
    j = math.ceil(math.log2(n))
    assert network_size(sawtooth_params(n)) == (2 * j, j)


def test_sizes_n1():
    assert network_size(sawtooth_params(1)) == (0, 0) == network_size(xor_tree_params(1))


def _triangle(u):
    """Independent formula: period-2 triangle wave, 0 at even u, 1 at odd u."""
    return np.abs(((u + 1) % 2) - 1)


@pytest.mark.parametrize("j", range(0, 8))
def test_tent_power_is_sawtooth_with_2_to_j_pieces(j):
    """t^j on [0, 1] equals the triangle wave in u = 2^j x, and has exactly 2^j linear pieces (Telgarsky)."""
    x = np.arange(2 ** (j + 3) + 1) / 2 ** (j + 3)           # dyadic grid: every kink of t^j is a grid point
    y = model_forward(x.reshape(1, -1), tent_power_params(j))[0][0]
    np.testing.assert_array_equal(y, _triangle(2.0**j * x))   # exact: powers of two only
    slopes = np.diff(y) / np.diff(x)
    pieces = 1 + np.count_nonzero(np.diff(slopes))
    assert pieces == 2**j
    assert network_size(tent_power_params(j)) == (2 * j, j)


def test_one_hidden_layer_has_at_most_N_plus_1_pieces():
    """The bound that makes the sawtooth expensive for one hidden layer: N ReLU units give at most N kinks."""
    rng = np.random.default_rng(0)
    N = 7
    kinks_at = rng.choice(np.arange(-15, 16), size=N, replace=False).astype(float)  # distinct, on the grid below
    w = rng.choice([-1.0, 1.0], size=(N, 1)) * rng.uniform(0.5, 2.0, size=(N, 1))
    p = {"W1": w, "b1": -w * kinks_at.reshape(-1, 1),
         "W2": rng.uniform(0.5, 2.0, size=(1, N)), "b2": np.zeros((1, 1))}
    x = np.arange(-20.0, 20.25, 0.25)
    y = model_forward(x.reshape(1, -1), p)[0][0]
    slopes = np.diff(y) / np.diff(x)
    changes = np.flatnonzero(np.abs(np.diff(slopes)) > 1e-9)
    np.testing.assert_array_equal(x[changes + 1], np.sort(kinks_at))   # one kink per unit, where -b/w says
    assert 1 + len(changes) == N + 1


def test_dnf_units_are_and_gates():
    """Each hidden unit of the DNF network fires on exactly one input, which has odd weight."""
    n = 5
    X = all_inputs(n)
    _, caches = model_forward(X, dnf_params(n))
    H = caches[0].activation.A
    assert set(np.unique(H)) == {0.0, 1.0}
    np.testing.assert_array_equal(H.sum(axis=1), 1)
    assert np.all(parity(X)[0, H.argmax(axis=1)] == 1)


def test_counting_is_triangle_wave_between_integers():
    n = 4
    p = counting_params(n)
    k = np.linspace(0, n, 41)
    y = p["W2"] @ np.maximum(p["W1"][:, :1] * k + p["b1"], 0)
    np.testing.assert_allclose(y[0], np.abs(((k + 1) % 2) - 1), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 12), seed=st.integers(0, 2**32 - 1))
def test_random_inputs_all_constructions(n, seed):
    X = np.random.default_rng(seed).integers(0, 2, size=(n, 16)).astype(float)
    expected = np.array([[_slow_parity(c) for c in X.T]], dtype=float)
    for build in CONSTRUCTIONS:
        np.testing.assert_array_equal(model_forward(X, build(n))[0], expected)


@pytest.mark.parametrize("bad", [0, -1, 2.5])
def test_bad_n(bad):
    for f in [all_inputs, *CONSTRUCTIONS]:
        with pytest.raises(ValueError, match="n must be a positive integer"):
            f(bad)
    if bad != 0:
        with pytest.raises(ValueError, match="j must be a non-negative integer"):
            tent_power_params(bad)


def test_parity_rejects_non_bits_and_network_size_checks_params():
    with pytest.raises(ShapeError, match="parity: X must contain only 0 and 1"):
        parity(np.array([[0.0, 0.5], [1.0, 1.0]]))
    with pytest.raises(ShapeError, match="parity: X must have 2 dimensions"):
        parity(np.array([0.0, 1.0]))
    with pytest.raises(ShapeError, match="NaN"):
        parity(np.array([[np.nan, 1.0]]))
    with pytest.raises(ShapeError, match="W2 has 2 columns"):
        network_size({**counting_params(3), "W2": np.ones((1, 2))})
