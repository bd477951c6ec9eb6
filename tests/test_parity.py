"""Tests for dlmath.parity: each construction is checked on every input against sum(x) mod 2."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmath.deep import check_params, model_forward
from dlmath.parity import all_inputs, counting_params, dnf_params, network_size, parity, xor_tree_params

CONSTRUCTIONS = [xor_tree_params, dnf_params, counting_params]


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
