"""Losses: hand values, finite differences, label formats, stability, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from strategies import matrices

from dlmath import (
    ShapeError,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    numerical_gradient,
    relative_error,
    sigmoid,
    softmax_cross_entropy,
    squared_error,
)

GRAD_TOL = 1e-7  # smooth losses, float64 central differences with eps=1e-6
LOGITS = st.floats(-8, 8, allow_nan=False)


def test_softmax_cross_entropy_by_hand():
    # Two classes with logits (0, ln 3): p = (1/4, 3/4). Label 1: loss = -ln(3/4); label 0: -ln(1/4).
    Z = np.array([[0.0, 0.0], [np.log(3.0), np.log(3.0)]])
    loss, dZ = softmax_cross_entropy(Z, np.array([1, 0]))
    np.testing.assert_allclose(loss, (-np.log(0.75) - np.log(0.25)) / 2, rtol=1e-14)
    # (p - y) / m
    np.testing.assert_allclose(dZ, [[0.25 / 2, (0.25 - 1) / 2], [(0.75 - 1) / 2, 0.75 / 2]], rtol=1e-14)


@settings(max_examples=40, deadline=None)
@given(matrices(rows=st.integers(2, 5), elements=LOGITS), st.data())
def test_softmax_cross_entropy_gradient_and_label_formats(Z, data):
    k, m = Z.shape
    labels = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=m, max_size=m)))
    onehot = np.eye(k)[:, labels]
    loss_i, dZ_i = softmax_cross_entropy(Z, labels)
    loss_h, dZ_h = softmax_cross_entropy(Z, onehot)
    assert loss_i == pytest.approx(loss_h) and np.allclose(dZ_i, dZ_h)
    num = numerical_gradient(lambda z: softmax_cross_entropy(z, labels)[0], Z)
    assert relative_error(dZ_i, num) < GRAD_TOL or np.max(np.abs(dZ_i - num)) < 1e-9
    assert dZ_i.shape == Z.shape
    np.testing.assert_allclose(dZ_i.sum(axis=0), 0.0, atol=1e-15)  # columns of p - y sum to 0


def test_softmax_cross_entropy_extreme_logits():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, dZ = softmax_cross_entropy(np.array([[1000.0, -1000.0], [-1000.0, 1000.0]]), np.array([1, 1]))
    # Example 1 is confidently wrong by 2000 nats; example 2 right: mean loss 1000.
    # p is (1, 0) then (0, 1) to float64 precision, so (P - Y) / m = [[1, 0], [-1, 0]] / 2.
    assert loss == pytest.approx(1000.0)
    np.testing.assert_array_equal(dZ, [[0.5, 0.0], [-0.5, 0.0]])


def test_binary_cross_entropy_by_hand_and_gradient():
    A = np.array([[0.8, 0.3]])
    Y = np.array([[1.0, 0.0]])
    loss, dA = binary_cross_entropy(A, Y)
    np.testing.assert_allclose(loss, -(np.log(0.8) + np.log(0.7)) / 2, rtol=1e-14)
    num = numerical_gradient(lambda a: binary_cross_entropy(a, Y)[0], A)
    assert relative_error(dA, num) < GRAD_TOL


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.just(1), st.integers(1, 6)), elements=LOGITS), st.data())
def test_bce_with_logits_agrees_with_bce_of_sigmoid(Z, data):
    Y = np.array([data.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=Z.shape[1], max_size=Z.shape[1]))])
    loss_z, dZ = binary_cross_entropy_with_logits(Z, Y)
    loss_a, dA = binary_cross_entropy(sigmoid(Z), Y)
    assert loss_z == pytest.approx(loss_a, rel=1e-9)
    A = sigmoid(Z)
    np.testing.assert_allclose(dZ, dA * A * (1 - A), rtol=1e-8, atol=1e-15)  # chain rule through sigmoid
    num = numerical_gradient(lambda z: binary_cross_entropy_with_logits(z, Y)[0], Z)
    assert relative_error(dZ, num) < GRAD_TOL or np.max(np.abs(dZ - num)) < 1e-9


def test_bce_with_logits_is_finite_at_extremes():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, dZ = binary_cross_entropy_with_logits(np.array([[1000.0, -1000.0]]), np.array([0.0, 1.0]))
    # sigma(1000) = 1 against y = 0, sigma(-1000) = 0 against y = 1: (sigma(z) - y) / m = (1/2, -1/2).
    assert loss == pytest.approx(1000.0)
    np.testing.assert_array_equal(dZ, [[0.5, -0.5]])


def test_binary_cross_entropy_gradient_by_hand():
    # dJ/da = (a - y) / (a (1 - a)) / m: (0.8 - 1) / 0.16 / 2 = -0.625 and 0.3 / 0.21 / 2 = 5/7.
    _, dA = binary_cross_entropy(np.array([[0.8, 0.3]]), np.array([1.0, 0.0]))
    np.testing.assert_allclose(dA, [[-0.625, 5 / 7]], rtol=1e-14)


def test_softmax_cross_entropy_soft_labels():
    # Soft targets: the gradient is still (P - Y) / m because each column of Y sums to 1.
    rng = np.random.default_rng(7)
    Z = rng.standard_normal((3, 4))
    Y = rng.dirichlet(np.ones(3), size=4).T
    loss, dZ = softmax_cross_entropy(Z, Y)
    P = np.exp(Z) / np.exp(Z).sum(axis=0)  # the plain formula, fine for these small logits
    assert loss == pytest.approx(-(Y * np.log(P)).sum() / 4, rel=1e-13)
    np.testing.assert_allclose(dZ, (P - Y) / 4, rtol=1e-12, atol=1e-15)
    num = numerical_gradient(lambda z: softmax_cross_entropy(z, Y)[0], Z)
    assert relative_error(dZ, num) < GRAD_TOL


def test_squared_error_by_hand_and_gradient():
    A = np.array([[0.2, 0.9], [0.7, 0.1]])
    T = np.array([[0.0, 1.0], [1.0, 0.0]])
    loss, dA = squared_error(A, T)
    assert loss == pytest.approx((0.04 + 0.01 + 0.09 + 0.01) / 4)  # (1/2m) sum, m = 2
    num = numerical_gradient(lambda a: squared_error(a, T)[0], A)
    assert relative_error(dA, num) < GRAD_TOL


def test_label_errors():
    Z = np.zeros((3, 4))
    with pytest.raises(ShapeError, match=r"softmax_cross_entropy: got 3 labels for 4 examples \(Z \(3, 4\), Y \(3,\)\)"):
        softmax_cross_entropy(Z, np.array([0, 1, 2]))
    with pytest.raises(ShapeError, match=r"labels must lie in 0..2 for 3 classes \(got min 0, max 3"):
        softmax_cross_entropy(Z, np.array([0, 1, 2, 3]))
    with pytest.raises(ShapeError, match=r"one-hot Y must have the shape of Z \(Z \(3, 4\), Y \(4, 3\)\)"):
        softmax_cross_entropy(Z, np.zeros((4, 3)))
    with pytest.raises(ShapeError, match="each column of Y must be a probability vector"):
        softmax_cross_entropy(Z, np.ones((3, 4)))
    with pytest.raises(ShapeError, match="integer labels Y"):
        softmax_cross_entropy(Z, np.array([0.5, 1, 2, 0]))
    with pytest.raises(ShapeError, match=r"softmax_cross_entropy: Z contains 1 NaN"):
        softmax_cross_entropy(np.array([[np.nan], [0.0]]), np.array([0]))


def test_binary_errors():
    with pytest.raises(ShapeError, match=r"binary_cross_entropy: A must be \(1, m\), one row of examples \(A \(2, 2\)\)"):
        binary_cross_entropy(np.full((2, 2), 0.5), np.ones((2, 2)))
    with pytest.raises(ShapeError, match=r"A and Y must have the same shape \(A \(1, 3\), Y \(1, 2\)\)"):
        binary_cross_entropy(np.full((1, 3), 0.5), np.array([1.0, 0.0]))
    with pytest.raises(ShapeError, match="strictly between 0 and 1"):
        binary_cross_entropy(np.array([[1.0, 0.5]]), np.array([1.0, 0.0]))
    with pytest.raises(ShapeError, match=r"labels Y must lie in \[0, 1\]"):
        binary_cross_entropy_with_logits(np.zeros((1, 2)), np.array([2.0, 0.0]))
    with pytest.raises(ShapeError, match=r"squared_error: A and T must have the same shape \(A \(2, 1\), T \(1, 2\)\)"):
        squared_error(np.zeros((2, 1)), np.zeros((1, 2)))


def test_no_examples_or_no_classes_is_a_shape_error_not_a_nan():
    with pytest.raises(ShapeError, match=r"softmax_cross_entropy: Z has no examples \(0 columns\).*\(Z \(3, 0\)\)"):
        softmax_cross_entropy(np.zeros((3, 0)), np.zeros(0, dtype=int))
    with pytest.raises(ShapeError, match=r"softmax_cross_entropy: Z needs at least one class"):
        softmax_cross_entropy(np.zeros((0, 2)), np.zeros(2, dtype=int))
    with pytest.raises(ShapeError, match=r"binary_cross_entropy: A has no examples"):
        binary_cross_entropy(np.zeros((1, 0)), np.zeros(0))
    with pytest.raises(ShapeError, match=r"binary_cross_entropy_with_logits: Z has no examples"):
        binary_cross_entropy_with_logits(np.zeros((1, 0)), np.zeros(0))
    with pytest.raises(ShapeError, match=r"squared_error: A has no examples"):
        squared_error(np.zeros((2, 0)), np.zeros((2, 0)))


def test_string_labels_are_a_shape_error():
    with pytest.raises(ShapeError, match=r"softmax_cross_entropy: Y must be an array of numbers \(dtype <U1\)"):
        softmax_cross_entropy(np.zeros((2, 2)), np.array(["a", "b"]))


# ---- issue 15: overflow is refused or handled, never returned as inf/NaN --------------------------------------


def test_overflow_is_refused_or_handled():
    with pytest.raises(ShapeError, match=r"squared_error: the loss overflowed float64"):
        squared_error(np.full((1, 2), 1e300), np.zeros((1, 2)))
    # y = 0 where log p = -inf: the term is 0, not 0 * -inf = NaN
    loss, dZ = softmax_cross_entropy(np.array([[1e308], [-1e308]]), np.array([0]))
    assert loss == 0.0 and np.all(np.isfinite(dZ))
    with pytest.raises(ShapeError, match=r"softmax_cross_entropy: the loss overflowed float64"):
        softmax_cross_entropy(np.array([[1e308], [-1e308]]), np.array([1]))
