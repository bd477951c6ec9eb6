"""The affine layer: hand-computed values, finite differences, properties, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from strategies import small_floats

from dlmath import LinearCache, ShapeError, linear_backward, linear_forward, numerical_gradient, relative_error

GRAD_TOL = 1e-7  # linear in every argument: central differences are exact up to rounding


def test_forward_by_hand():
    A_prev = np.array([[1.0, 2.0], [3.0, -1.0]])  # 2 features, 2 examples
    W = np.array([[1.0, 0.0], [2.0, 1.0], [0.0, -1.0]])
    b = np.array([[0.5], [0.0], [1.0]])
    Z, cache = linear_forward(A_prev, W, b)
    # Row 2, example 1: 2*1 + 1*3 + 0 = 5; row 3, example 2: -(-1) + 1 = 2.
    np.testing.assert_array_equal(Z, [[1.5, 2.5], [5.0, 3.0], [-2.0, 2.0]])
    assert isinstance(cache, LinearCache)


def test_backward_by_hand():
    A_prev = np.array([[1.0, 2.0], [3.0, -1.0]])
    W = np.array([[1.0, 0.0], [2.0, 1.0], [0.0, -1.0]])
    _, cache = linear_forward(A_prev, W, np.zeros((3, 1)))
    dZ = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    dA, dW, db = linear_backward(dZ, cache)
    # dA = W^T dZ, column 1: W[:,0]*1 + W[:,2]... computed entry by entry:
    # dA[0,0] = 1*1 + 2*0 + 0*1 = 1; dA[1,0] = 0*1 + 1*0 + (-1)*1 = -1
    # dA[0,1] = 1*0 + 2*1 + 0*1 = 2; dA[1,1] = 0 + 1 + (-1) = 0
    np.testing.assert_array_equal(dA, [[1.0, 2.0], [-1.0, 0.0]])
    # dW[i,j] = sum_k dZ[i,k] A_prev[j,k]
    np.testing.assert_array_equal(dW, [[1.0, 3.0], [2.0, -1.0], [3.0, 2.0]])
    np.testing.assert_array_equal(db, [[1.0], [1.0], [2.0]])


def test_backward_matches_finite_differences():
    rng = np.random.default_rng(3)
    A_prev, W, b = rng.standard_normal((5, 7)), rng.standard_normal((4, 5)), rng.standard_normal((4, 1))
    G = rng.standard_normal((4, 7))
    _, cache = linear_forward(A_prev, W, b)
    dA, dW, db = linear_backward(G, cache)

    def loss(A_, W_, b_):
        return float(np.sum(G * linear_forward(A_, W_, b_)[0]))

    assert relative_error(dA, numerical_gradient(lambda a: loss(a, W, b), A_prev)) < GRAD_TOL
    assert relative_error(dW, numerical_gradient(lambda w: loss(A_prev, w, b), W)) < GRAD_TOL
    assert relative_error(db, numerical_gradient(lambda c: loss(A_prev, W, c), b)) < GRAD_TOL


@st.composite
def layers(draw):
    n_prev, n, m = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 5))
    A_prev = draw(arrays(np.float64, (n_prev, m), elements=small_floats))
    W = draw(arrays(np.float64, (n, n_prev), elements=small_floats))
    b = draw(arrays(np.float64, (n, 1), elements=small_floats))
    G = draw(arrays(np.float64, (n, m), elements=small_floats))
    return A_prev, W, b, G


@settings(max_examples=50, deadline=None)
@given(layers())
def test_gradients_have_their_inputs_shapes_and_inputs_untouched(layer):
    A_prev, W, b, G = layer
    copies = [x.copy() for x in layer]
    Z, cache = linear_forward(A_prev, W, b)
    dA, dW, db = linear_backward(G, cache)
    assert Z.shape == G.shape and dA.shape == A_prev.shape and dW.shape == W.shape and db.shape == b.shape
    for x, x0 in zip(layer, copies, strict=True):
        np.testing.assert_array_equal(x, x0)


@settings(max_examples=30, deadline=None)
@given(layers())
def test_backward_is_the_adjoint_of_forward(layer):
    # <G, W dA> = <W^T G, dA>: the backward of a linear map is its transpose, whatever the numbers.
    A_prev, W, b, G = layer
    _, cache = linear_forward(A_prev, W, b)
    dA, _, _ = linear_backward(G, cache)
    V = np.cos(np.arange(A_prev.size, dtype=float)).reshape(A_prev.shape)
    lhs = float(np.sum(G * (W @ V)))
    rhs = float(np.sum(dA * V))
    assert abs(lhs - rhs) <= 1e-9 * (1 + abs(lhs))


def test_forward_errors_name_function_rule_and_shapes():
    with pytest.raises(ShapeError, match=r"linear_forward: W has 3 columns but A_prev has 2 rows \(W \(4, 3\), A_prev \(2, 5\)\)"):
        linear_forward(np.ones((2, 5)), np.ones((4, 3)), np.ones((4, 1)))
    with pytest.raises(ShapeError, match=r"linear_forward: b must be \(4, 1\) to match W's rows \(W \(4, 3\), b \(4,\)\)"):
        linear_forward(np.ones((3, 5)), np.ones((4, 3)), np.ones(4))
    with pytest.raises(ShapeError, match=r"linear_forward: A_prev must have 2 dimensions but has 1 \(A_prev \(3,\)\)"):
        linear_forward(np.ones(3), np.ones((4, 3)), np.ones((4, 1)))
    with pytest.raises(ShapeError, match=r"linear_forward: W contains 4 NaN or infinite value\(s\) \(W \(4, 3\)\)"):
        linear_forward(np.ones((3, 5)), np.array([[1, 2, np.nan]] * 4), np.ones((4, 1)))


def test_backward_rejects_wrong_dZ():
    _, cache = linear_forward(np.ones((3, 5)), np.ones((4, 3)), np.ones((4, 1)))
    with pytest.raises(ShapeError, match=r"linear_backward: dZ must have the shape of Z, \(n, m\) = \(4, 5\) \(dZ \(5, 4\)"):
        linear_backward(np.ones((5, 4)), cache)


def test_one_example_batch():
    Z, cache = linear_forward(np.array([[1.0], [2.0]]), np.array([[3.0, 4.0]]), np.array([[1.0]]))
    assert Z.shape == (1, 1) and Z[0, 0] == 12.0
    dA, dW, db = linear_backward(np.array([[2.0]]), cache)
    np.testing.assert_array_equal(dA, [[6.0], [8.0]])
    np.testing.assert_array_equal(dW, [[2.0, 4.0]])
    np.testing.assert_array_equal(db, [[2.0]])


def test_first_layer_can_skip_the_data_gradient():
    rng = np.random.default_rng(4)
    A_prev, W, b = rng.standard_normal((5, 3)), rng.standard_normal((2, 5)), rng.standard_normal((2, 1))
    dZ = rng.standard_normal((2, 3))
    _, cache = linear_forward(A_prev, W, b)
    full = linear_backward(dZ, cache)
    dA, dW, db = linear_backward(dZ, cache, need_dA_prev=False)
    assert dA is None
    np.testing.assert_array_equal(dW, full[1])
    np.testing.assert_array_equal(db, full[2])
