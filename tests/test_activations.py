"""Activations: finite-difference checks, properties, conventions, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import any_shape_arrays, matrices

from dlmath import (
    ShapeError,
    numerical_gradient,
    relative_error,
    relu_backward,
    relu_forward,
    sigmoid,
    sigmoid_backward,
    sigmoid_forward,
    softmax,
    tanh_backward,
    tanh_forward,
)

# Central differences in float64 with eps=1e-6 on smooth functions agree to ~1e-9; 1e-7 leaves room.
GRAD_TOL = 1e-7
# A finite difference of f carries an absolute rounding error of about 1e-16 * |f| / eps = 1e-10 * |f|;
# where the gradient itself is that small (a saturated sigmoid), only this absolute floor is meaningful.
ABS_FLOOR = 1e-8
PAIRS = [
    (relu_forward, relu_backward),
    (sigmoid_forward, sigmoid_backward),
    (tanh_forward, tanh_backward),
]


def _check_vjp(forward, backward, Z, rng):
    """Backward must equal d/dZ sum(G * forward(Z)) for a random upstream gradient G."""
    G = rng.standard_normal(Z.shape)
    _, cache = forward(Z)
    dZ = backward(G, cache)
    num = numerical_gradient(lambda z: float(np.sum(G * forward(z)[0])), Z)
    assert dZ.shape == Z.shape
    assert relative_error(dZ, num) < GRAD_TOL or np.max(np.abs(dZ - num)) < ABS_FLOOR


@pytest.mark.parametrize("forward,backward", PAIRS, ids=["relu", "sigmoid", "tanh"])
def test_backward_matches_finite_differences(forward, backward):
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((4, 6))
    Z[np.abs(Z) < 1e-3] = 0.5  # stay away from ReLU's kink at 0
    _check_vjp(forward, backward, Z, rng)


def test_relu_derivative_at_zero_is_zero():
    Z = np.array([[-1.0, 0.0, 2.0]])
    _, cache = relu_forward(Z)
    np.testing.assert_array_equal(relu_backward(np.ones_like(Z), cache), [[0.0, 0.0, 1.0]])


def test_sigmoid_known_values():
    # sigma(0) = 1/2; sigma(log 3) = 3/4 by hand: 1 / (1 + 1/3).
    np.testing.assert_allclose(sigmoid(np.array([0.0, np.log(3.0)])), [0.5, 0.75], rtol=1e-15)


def test_sigmoid_extreme_inputs_do_not_overflow():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        A, _ = sigmoid_forward(np.array([[-1000.0, 1000.0, -745.0, 710.0]]))
    assert A[0, 0] == 0.0 and A[0, 1] == 1.0 and np.all(np.isfinite(A))


@settings(max_examples=50, deadline=None)
@given(any_shape_arrays())
def test_sigmoid_symmetry(Z):
    np.testing.assert_allclose(sigmoid(-Z), 1.0 - sigmoid(Z), atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(matrices())
def test_backwards_match_finite_differences_property(Z):
    rng = np.random.default_rng(1)
    Z = np.where(np.abs(Z) < 1e-3, 0.5, Z)
    for forward, backward in PAIRS:
        _check_vjp(forward, backward, Z, rng)


@settings(max_examples=50, deadline=None)
@given(any_shape_arrays())
def test_inputs_are_not_modified(Z):
    for forward, backward in PAIRS:
        Z0 = Z.copy()
        A, cache = forward(Z)
        G = np.ones_like(Z)
        G0 = G.copy()
        backward(G, cache)
        np.testing.assert_array_equal(Z, Z0)
        np.testing.assert_array_equal(G, G0)


@settings(max_examples=50, deadline=None)
@given(matrices())
def test_softmax_columns_sum_to_one_and_shift_invariant(Z):
    P = softmax(Z)
    np.testing.assert_allclose(P.sum(axis=0), 1.0, rtol=1e-12)
    assert np.all(P >= 0)
    shift = np.linspace(-100, 100, Z.shape[1])  # a different constant per column
    np.testing.assert_allclose(softmax(Z + shift), P, atol=1e-12)


def test_softmax_stable_at_plus_minus_1000():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        P = softmax(np.array([[1000.0, -1000.0], [999.0, -1000.0], [-1000.0, -999.0]]))
    e = np.exp(-1.0)
    np.testing.assert_allclose(P[:, 0], [1 / (1 + e), e / (1 + e), 0.0], atol=1e-15)
    np.testing.assert_allclose(P[:, 1], [e / (1 + 2 * e), e / (1 + 2 * e), 1 / (1 + 2 * e)], atol=1e-15)


def test_softmax_single_vector():
    # softmax([0, ln 2]) = [1/3, 2/3] by hand.
    np.testing.assert_allclose(softmax(np.array([0.0, np.log(2.0)])), [1 / 3, 2 / 3], rtol=1e-15)


@pytest.mark.parametrize("forward", [relu_forward, sigmoid_forward, tanh_forward])
def test_forward_rejects_nan(forward):
    with pytest.raises(ShapeError, match=r"_forward: Z contains 1 NaN or infinite value\(s\) \(Z \(2, 2\)\)"):
        forward(np.array([[0.0, np.nan], [1.0, 2.0]]))


@pytest.mark.parametrize("forward,backward", PAIRS, ids=["relu", "sigmoid", "tanh"])
def test_backward_rejects_wrong_shape(forward, backward):
    _, cache = forward(np.zeros((2, 3)))
    with pytest.raises(ShapeError, match=r"_backward: dA and cache.Z must have the same shape \(dA \(3, 2\), cache.Z \(2, 3\)\)"):
        backward(np.zeros((3, 2)), cache)


def test_softmax_rejects_rank_3_and_inf():
    with pytest.raises(ShapeError, match=r"softmax: Z must be \(k,\) or \(k, m\).*\(Z \(2, 2, 2\)\)"):
        softmax(np.zeros((2, 2, 2)))
    with pytest.raises(ShapeError, match="softmax: Z contains 1 NaN or infinite"):
        softmax(np.array([1.0, np.inf]))


def test_softmax_of_no_classes_is_a_shape_error():
    with pytest.raises(ShapeError, match=r"softmax: Z needs at least one class \(row\).*\(Z \(0, 3\)\)"):
        softmax(np.zeros((0, 3)))


# ---- issue 15: a cache from the wrong function, NaN, complex ----------------------------------------


def test_a_backward_refuses_another_activations_cache():
    from dlmath import ActivationCache, LinearCache, linear_backward, linear_forward

    Z = np.array([[-1.0, 0.5, 2.0]])
    _, tanh_cache = tanh_forward(Z)
    # same Z, so the shapes agree: only the recorded producer tells the caches apart
    with pytest.raises(ShapeError, match=r"sigmoid_backward: cache: expected the ActivationCache from sigmoid_forward, "
                                         r"got an ActivationCache from tanh_forward"):
        sigmoid_backward(np.ones_like(Z), tanh_cache)
    _, lin_cache = linear_forward(np.ones((3, 2)), np.ones((1, 3)), np.zeros((1, 1)))
    with pytest.raises(ShapeError, match=r"relu_backward: cache: expected the ActivationCache from relu_forward, "
                                         r"got a LinearCache from linear_forward"):
        relu_backward(np.ones((1, 2)), lin_cache)
    with pytest.raises(ShapeError, match=r"linear_backward: cache: expected the LinearCache from linear_forward, "
                                         r"got an ActivationCache from relu_forward"):
        linear_backward(np.ones((1, 3)), relu_forward(Z)[1])
    assert isinstance(lin_cache, LinearCache)
    # a cache built by hand has no producer: it is accepted when A = g(Z) and refused otherwise
    A = np.tanh(Z)
    np.testing.assert_array_equal(tanh_backward(np.ones_like(Z), ActivationCache(Z, A)), 1 - A**2)
    with pytest.raises(ShapeError, match=r"sigmoid_backward: cache.A is not sigmoid\(cache.Z\)"):
        sigmoid_backward(np.ones_like(Z), ActivationCache(Z, A))


def test_sigmoid_refuses_nan_none_and_complex():
    with pytest.raises(ShapeError, match=r"sigmoid: Z contains 1 NaN"):
        sigmoid(np.array([np.nan, 0.0]))
    with pytest.raises(ShapeError, match=r"sigmoid: Z must be an array of numbers \(got NoneType\)"):
        sigmoid(None)
    with pytest.raises(ShapeError, match=r"relu_forward: Z must be real, not complex"):
        relu_forward(np.ones(2) + 0.5j)


def test_identity_forward_returns_a_copy():
    from dlmath.activations import identity_forward

    Z = np.array([1.0, -2.0])
    A, cache = identity_forward(Z)
    A[0] = 99.0
    assert Z[0] == 1.0 and cache.Z[0] == 1.0
