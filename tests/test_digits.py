"""The seeded 6x6 digits: shapes, reproducibility, templates, shifts that keep the ink, noise rate, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmath import ShapeError
from dlmath.digits import DIGITS, TEMPLATES, make_digits, train_test_digits

# With 3 * 400 images of 36 pixels (43,200 Bernoulli(0.04) flips) the observed flip rate has a standard
# deviation of sqrt(0.04 * 0.96 / 43200) ~ 0.0009; 0.005 is more than five standard deviations.
FLIP_RATE_TOL = 0.005


def _all_moves(img):
    """Every image obtainable from img by staying put or moving one pixel without losing ink (by hand)."""
    out = [img]
    for dr, dc in [(-1, 0), (1, 0), (0, -1), (0, 1)]:
        moved = np.zeros_like(img)
        src = img[max(0, -dr) : 6 - max(0, dr), max(0, -dc) : 6 - max(0, dc)]
        moved[max(0, dr) : 6 - max(0, -dr), max(0, dc) : 6 - max(0, -dc)] = src
        if moved.sum() == img.sum():  # no ink fell off the frame
            out.append(moved)
    return out


def test_templates_are_distinct_binary_6x6_drawings():
    flat = [t for d in DIGITS for t in TEMPLATES[int(d)]]
    assert len(flat) == 9
    for t in flat:
        assert t.shape == (6, 6)
        assert set(np.unique(t)) <= {0.0, 1.0}
        assert t.sum() >= 6
    assert len({t.tobytes() for t in flat}) == 9


def test_shapes_labels_and_values():
    data = make_digits(32, seed=0)
    assert data.X.shape == (96, 1, 6, 6) and data.X.dtype == np.float64
    np.testing.assert_array_equal(np.bincount(data.y), [32, 32, 32])
    assert set(np.unique(data.X)) <= {0.0, 1.0}
    assert set(np.unique(data.template)) <= {0, 1, 2}


def test_same_seed_same_images_other_seed_other_images():
    a, b, c = make_digits(10, seed=4), make_digits(10, seed=4), make_digits(10, seed=5)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)


def test_train_and_test_sets_differ():
    train, test = train_test_digits(0)
    assert train.X.shape[0] == 96 and test.X.shape[0] == 90
    assert not np.array_equal(train.X[:90], test.X)


def test_without_noise_or_shifts_images_are_the_templates():
    data = make_digits(20, seed=1, flip=0.0, shift=0.0)
    for img, label, t in zip(data.X[:, 0], data.y, data.template, strict=True):
        np.testing.assert_array_equal(img, TEMPLATES[int(DIGITS[label])][t])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_property_shifts_move_one_pixel_and_keep_all_ink(seed):
    data = make_digits(5, seed=seed, flip=0.0, shift=1.0)
    for img, label, t in zip(data.X[:, 0], data.y, data.template, strict=True):
        template = TEMPLATES[int(DIGITS[label])][t]
        candidates = _all_moves(template)[1:]  # shift=1: always moved
        assert any(np.array_equal(img, c) for c in candidates)


def test_flip_rate():
    data = make_digits(400, seed=2, flip=0.04, shift=0.0)
    clean = np.array([TEMPLATES[int(DIGITS[y])][t] for y, t in zip(data.y, data.template, strict=True)])
    assert abs(np.mean(data.X[:, 0] != clean) - 0.04) < FLIP_RATE_TOL


def test_errors():
    with pytest.raises(ShapeError, match=r"make_digits: n_per_digit must be a positive integer \(got 0\)"):
        make_digits(0)
    with pytest.raises(ShapeError, match=r"make_digits: need 0 <= flip < 0.5"):
        make_digits(3, flip=0.5)
    with pytest.raises(ShapeError, match=r"shift=2"):
        make_digits(3, shift=2)
