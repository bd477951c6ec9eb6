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
