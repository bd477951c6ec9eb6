"""The shared input checks: every message names the function, the rule and the shapes."""

import numpy as np
import pytest

from dlmath import ShapeError, linear_forward, relu_forward, softmax_cross_entropy
from dlmath.errors import as_array, same_shape


def test_shape_error_is_a_value_error():
    assert issubclass(ShapeError, ValueError)


def test_as_array_converts_and_checks():
    out = as_array("f", "x", [[1, 2], [3, 4]], 2)
    assert out.dtype == np.float64 and out.shape == (2, 2)
    with pytest.raises(ShapeError, match=r"f: x must have 1 dimension but has 2 \(x \(2, 2\)\)"):
        as_array("f", "x", out, 1)
    with pytest.raises(ShapeError, match=r"f: x must be an array of numbers"):
        as_array("f", "x", [["a", "b"]])
    with pytest.raises(ShapeError, match=r"f: x contains 2 NaN or infinite value\(s\) \(x \(3,\)\)"):
        as_array("f", "x", [np.inf, 1.0, -np.nan])
    assert as_array("f", "x", [np.nan], finite=False).shape == (1,)


def test_same_shape():
    same_shape("f", "a", np.zeros(2), "b", np.ones(2))
    with pytest.raises(ShapeError, match=r"f: a and b must have the same shape \(a \(2,\), b \(1, 2\)\)"):
        same_shape("f", "a", np.zeros(2), "b", np.ones((1, 2)))


def test_rows_as_examples_is_caught_with_the_shapes():
    # A learner passes X in the row layout (m, n_prev) = (5, 3) to a layer that wants columns.
    with pytest.raises(ShapeError) as err:
        linear_forward(np.ones((5, 3)), np.ones((4, 3)), np.zeros((4, 1)))
    msg = str(err.value)
    assert "linear_forward" in msg and "(5, 3)" in msg and "(4, 3)" in msg and "A_prev (n_prev, m)" in msg


def test_mismatched_labels_are_not_broadcast():
    with pytest.raises(ShapeError, match="got 2 labels for 3 examples"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1]))


def test_nan_input_is_rejected_not_propagated():
    with pytest.raises(ShapeError, match="relu_forward: Z contains 1 NaN"):
        relu_forward(np.array([1.0, np.nan]))


def test_learning_rate_and_epochs_rules():
    from dlmath.errors import check_epochs, check_learning_rate

    assert check_learning_rate("f", 0) == 0.0 and check_learning_rate("f", np.float32(0.5)) == 0.5
    for bad in (-1e-3, np.nan, np.inf, "fast", None):
        with pytest.raises(ShapeError, match=r"f: the learning rate must be a finite number >= 0 \(lr "):
            check_learning_rate("f", bad)
    assert check_epochs("f", 0) == 0 and check_epochs("f", 3.0) == 3 and isinstance(check_epochs("f", np.int64(2)), int)
    for bad in (-1, 2.5, np.nan, np.inf, "ten", None):
        with pytest.raises(ShapeError, match=r"f: epochs must be a whole number >= 0 \(epochs "):
            check_epochs("f", bad)


# ---- the shared rules of issue 15 --------------------------------------------------------------------


def test_as_array_refuses_what_numpy_would_coerce_silently():
    with pytest.raises(ShapeError, match=r"f: x must be an array of numbers \(got NoneType\)"):
        as_array("f", "x", None)  # numpy: NaN
    with pytest.raises(ShapeError, match=r"f: x must be an array of numbers \(got str\)"):
        as_array("f", "x", "1.5")  # numpy: 1.5
    with pytest.raises(ShapeError, match=r"f: x must be real, not complex"):
        as_array("f", "x", np.ones(2) + 0.5j)  # numpy: the imaginary part dropped
    with pytest.raises(ShapeError, match=r"f: x must be an array of numbers \(setting an array element"):
        as_array("f", "x", [[1.0, 2.0], [3.0]])


def test_scalar_rules():
    from dlmath.errors import check_bool, check_choice, check_int, check_real, check_seed, check_tolerance

    assert check_seed("f", None) is None and check_seed("f", np.int64(3)) == 3
    for bad in (-1, 2.5, "abc", True):
        with pytest.raises(ShapeError, match=r"f: seed must be None or an integer >= 0 \(got "):
            check_seed("f", bad)
    assert check_bool("f", "flag", np.bool_(True)) is True
    for bad in ("False", None, 1):
        with pytest.raises(ShapeError, match=r"f: flag must be True or False"):
            check_bool("f", "flag", bad)
    assert check_int("f", "n", np.int32(2), 1) == 2
    for bad in (0, 2.5, "3", True, None):
        with pytest.raises(ShapeError, match=r"f: need two; n must be an integer >= 1 \(got "):
            check_int("f", "n", bad, 1, "need two")
    assert check_real("f", "s", 2) == 2.0
    for bad in (np.nan, np.inf, 1j, None, "1", True, -1.0):
        with pytest.raises(ShapeError, match=r"f: s must be a finite real number >= 0 \(got "):
            check_real("f", "s", bad, low=0.0)
    for bad in (None, np.nan, 0.0, -1.0):
        with pytest.raises(ShapeError, match=r"f: tol must be a finite real number > 0"):
            check_tolerance("f", bad)
    with pytest.raises(ShapeError, match=r"f: activation must be one of \['a', 'b'\] \(unknown activation \['a'\]\)"):
        check_choice("f", "activation", ["a"], ("a", "b"))  # a list: no 'unhashable type'


def test_check_cache_names_both_producers():
    from dlmath import linear_forward, relu_forward
    from dlmath.errors import check_cache
    from dlmath.linear import LinearCache

    act = relu_forward(np.ones(2))[1]
    with pytest.raises(ShapeError, match=r"^f: cache: expected the LinearCache from linear_forward, "
                                         r"got an ActivationCache from relu_forward$"):
        check_cache("f", act, LinearCache, "linear_forward")
    lin = linear_forward(np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1)))[1]
    assert check_cache("f", lin, LinearCache, "linear_forward") is lin


def test_reraise_as_names_the_outer_function_and_keeps_the_inner_detail():
    from dlmath.errors import reraise_as

    with pytest.raises(ShapeError, match=r"^outer: epoch 3: inner: bad$") as info:
        with reraise_as("outer", "epoch 3"):
            raise ShapeError("inner: bad")
    assert str(info.value.__cause__) == "inner: bad"
    with pytest.raises(ShapeError, match=r"^outer: already named$"):
        with reraise_as("outer"):
            raise ShapeError("outer: already named")
