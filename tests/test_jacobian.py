"""Tests for the analytic Jacobians and flop counts of ``dlmath.jacobian``.

Referees: ``numerical_jacobian`` (central differences), the layer backwards (every backward is a
vector-Jacobian product), and flop counts worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlmath import (
    ShapeError,
    linear_backward,
    linear_forward,
    numerical_jacobian,
    relative_error,
    sigmoid,
    softmax,
    softmax_cross_entropy,
)
from dlmath.jacobian import chain_flops, elementwise_jacobian, linear_jacobians, matmul_flops, softmax_jacobian

# Central differences in float64 agree with smooth analytic derivatives to ~1e-8 relative error.
FD_TOL = 1e-7
# Entries that are exactly zero analytically come out of finite differences as ~1e-10 noise.
FD_ATOL = 1e-8
# Identities that hold up to float64 rounding only.
ROUND_TOL = 1e-12

vectors = st.integers(1, 6).flatmap(lambda n: arrays(np.float64, (n,), elements=st.floats(-4, 4)))


def _close(a, b):
    return np.allclose(a, b, rtol=FD_TOL, atol=FD_ATOL)


@pytest.mark.parametrize(
    ("name", "fn"),
    [("sigmoid", sigmoid), ("tanh", np.tanh), ("relu", lambda z: np.maximum(z, 0.0))],
)
def test_elementwise_jacobian_is_diagonal_and_matches_fd(name, fn):
    z = np.array([-1.3, 0.4, 2.2, -0.2, 0.9])  # away from ReLU's kink at 0
    J = elementwise_jacobian(z, name)
    assert J.shape == (5, 5)
    assert np.count_nonzero(J - np.diag(np.diag(J))) == 0
    assert _close(J, numerical_jacobian(fn, z))


def test_relu_jacobian_at_zero_is_zero():
    assert elementwise_jacobian(np.array([0.0, 1.0]), "relu").tolist() == [[0.0, 0.0], [0.0, 1.0]]


@settings(max_examples=40, deadline=None)
@given(vectors)
def test_softmax_jacobian_matches_fd_and_properties(z):
    J = softmax_jacobian(z)
    p = softmax(z)
    assert _close(J, numerical_jacobian(softmax, z))
    assert np.allclose(J, J.T, atol=ROUND_TOL)
    # column sums: sum_i dp_i/dz_j = d(sum_i p_i)/dz_j = 0, because the probabilities always sum to 1
    assert np.allclose(J.sum(axis=0), 0.0, atol=ROUND_TOL)
    # row sums: J @ 1 is the change of p when every logit moves by the same amount, which is none
    assert np.allclose(J.sum(axis=1), 0.0, atol=ROUND_TOL)
    assert np.allclose(np.diag(J), p * (1 - p), atol=ROUND_TOL)


def test_softmax_cross_entropy_collapses_to_p_minus_y():
    rng = np.random.default_rng(3)
    z = rng.normal(size=5)
    y = np.eye(5)[1]
    p = softmax(z)
    dJ_dp = -y / p  # Jacobian (1, k) of J = -sum y log p with respect to p
    chained = dJ_dp @ softmax_jacobian(z)
    _, dZ = softmax_cross_entropy(z.reshape(5, 1), y.reshape(5, 1))
    assert relative_error(chained, p - y) < ROUND_TOL
    assert relative_error(dZ[:, 0], p - y) < ROUND_TOL


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_linear_jacobians_match_fd_and_backward(n, n_prev, seed):
    rng = np.random.default_rng(seed)
    W, a, b = rng.normal(size=(n, n_prev)), rng.normal(size=(n_prev, 1)), rng.normal(size=(n, 1))
    J = linear_jacobians(W, a)
    assert J.wrt_a.shape == (n, n_prev) and J.wrt_b.shape == (n, n) and J.wrt_W.shape == (n, n * n_prev)
    assert _close(J.wrt_a, numerical_jacobian(lambda v: W @ v + b, a))
    assert _close(J.wrt_b, numerical_jacobian(lambda v: W @ a + v, b))
    assert _close(J.wrt_W, numerical_jacobian(lambda v: v @ a + b, W))
    # a backward pass is g^T J for a random upstream g
    g = rng.normal(size=(n, 1))
    _, cache = linear_forward(a, W, b)
    dA, dW, db = linear_backward(g, cache)
    assert np.allclose(g[:, 0] @ J.wrt_a, dA[:, 0], atol=ROUND_TOL)
    assert np.allclose(g[:, 0] @ J.wrt_b, db[:, 0], atol=ROUND_TOL)
    assert np.allclose(g[:, 0] @ J.wrt_W, dW.ravel(), atol=ROUND_TOL)
    assert np.count_nonzero(J.wrt_W) <= n * n_prev  # at most one non-zero block per row


def test_linear_jacobians_do_not_modify_inputs():
    W, a = np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0])
    W0, a0 = W.copy(), a.copy()
    J = linear_jacobians(W, a)
    J.wrt_a[0, 0] = 99.0
    assert np.array_equal(W, W0) and np.array_equal(a, a0)


def test_chain_of_jacobians_is_jacobian_of_chain():
    rng = np.random.default_rng(5)
    W1, W2 = rng.normal(size=(4, 3)), rng.normal(size=(2, 4))
    x = rng.normal(size=3)

    def f(v):
        return softmax(W2 @ np.tanh(W1 @ v))

    z1 = W1 @ x
    z2 = W2 @ np.tanh(z1)
    product = softmax_jacobian(z2) @ W2 @ elementwise_jacobian(z1, "tanh") @ W1
    assert _close(product, numerical_jacobian(f, x))


def test_flop_counts_by_hand():
    assert matmul_flops(2, 3, 4) == 48
    # widths 3 -> 4 -> 2: vjp = (1x2)@(2x4) + (1x4)@(4x3) = 16 + 24
    assert chain_flops([3, 4, 2], "vjp") == 40
    # jacobian: (2x4)@(4x3) = 48, then (1x2)@(2x3) = 12
    assert chain_flops([3, 4, 2], "jacobian") == 60
    # L equal widths n: vjp 2 L n^2, jacobian 2 (L-1) n^3 + 2 n^2
    n, L = 100, 4
    assert chain_flops([n] * (L + 1), "vjp") == 2 * L * n * n
    assert chain_flops([n] * (L + 1), "jacobian") == 2 * (L - 1) * n**3 + 2 * n * n


def test_error_paths():
    with pytest.raises(ShapeError, match="elementwise_jacobian: activation must be one of"):
        elementwise_jacobian(np.ones(3), "softplus")
    with pytest.raises(ShapeError, match="elementwise_jacobian: z must have 1 dimension"):
        elementwise_jacobian(np.ones((3, 1)), "relu")
    with pytest.raises(ShapeError, match="softmax_jacobian: z must have 1 dimension"):
        softmax_jacobian(np.ones((3, 2)))
    with pytest.raises(ShapeError, match=r"linear_jacobians: a must be one example of length n_prev = 3"):
        linear_jacobians(np.ones((2, 3)), np.ones(4))
    with pytest.raises(ShapeError, match=r"linear_jacobians: a must be one example"):
        linear_jacobians(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ShapeError, match="matmul_flops: k must be a non-negative integer"):
        matmul_flops(1, -2, 3)
    with pytest.raises(ShapeError, match="chain_flops: mode must be"):
        chain_flops([2, 3], "forward")
    with pytest.raises(ShapeError, match="chain_flops: widths must list"):
        chain_flops([2], "vjp")


@pytest.mark.parametrize("bad", ["3", None, 2.5, True, float("nan"), -1])
def test_flop_counts_reject_non_integers_with_a_shape_error(bad):
    with pytest.raises(ShapeError, match="matmul_flops: n must be a non-negative integer"):
        matmul_flops(2, 3, bad)
    with pytest.raises(ShapeError, match="chain_flops: widths must list at least two positive integers"):
        chain_flops([3, bad, 2], "vjp")


def test_flop_counts_accept_tuples_and_numpy_integers():
    assert chain_flops((3, 4, 2), "jacobian") == chain_flops(np.array([3, 4, 2]), "jacobian") == 60
    assert matmul_flops(np.int64(2), 3.0, 4) == 48
    with pytest.raises(ShapeError, match="chain_flops: widths must list"):
        chain_flops(5, "vjp")
