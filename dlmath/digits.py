r"""Tiny 6x6 images of the digits 1, 2 and 3 (chapter "Backpropagation in a convolutional network").

Seed 002 follows a book that trains its CNN on 96 hand-drawn 6x6 black-and-white images of 1, 2 and 3.
This module makes a comparable, reproducible set: three hand-drawn templates per digit, each image a
template moved by at most one pixel (never pushing ink off the frame), with a few pixels flipped
(black <-> white) as noise.  Everything is drawn from ``np.random.default_rng(seed)``.

Layout NCHW: images ``X`` (m, 1, 6, 6) with ink = 1 and paper = 0; labels ``y`` (m,) in {0, 1, 2}
standing for the digits 1, 2, 3 (``DIGITS[y]``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .errors import ShapeError, check_real, check_seed, reraise_as

__all__ = ["DIGITS", "TEMPLATES", "DigitSet", "make_digits", "train_test_digits"]

DIGITS = np.array([1, 2, 3])

_DRAWINGS = {
    1: [
        "..#...|.##...|..#...|..#...|..#...|.###..",
        "...#..|..##..|...#..|...#..|...#..|...#..",
        "..#...|..#...|..#...|..#...|..#...|..#...",
    ],
    2: [
        ".###..|#...#.|...#..|..#...|.#....|#####.",
        ".##...|#..#..|...#..|..#...|.#....|####..",
        "####..|....#.|.###..|#.....|#.....|#####.",
    ],
    3: [
        "####..|....#.|.###..|....#.|....#.|####..",
        ".###..|#...#.|..##..|....#.|#...#.|.###..",
        "#####.|...#..|..##..|....#.|....#.|####..",
    ],
}


def _parse(drawing: str) -> np.ndarray:
    return np.array([[ch == "#" for ch in row] for row in drawing.split("|")], dtype=np.float64)


TEMPLATES: dict[int, list[np.ndarray]] = {d: [_parse(s) for s in v] for d, v in _DRAWINGS.items()}
"""The hand-drawn templates, 6x6 arrays of 0/1, three per digit."""

_SHIFTS = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)]  # (rows, columns): stay, up, down, left, right


def _shift(img: np.ndarray, dr: int, dc: int) -> np.ndarray | None:
    """Move the image by (dr, dc) pixels, or return None if that would push ink off the frame."""
    if dr and np.any(img[-1 if dr > 0 else 0]):  # the row that would fall off holds ink
        return None
    if dc and np.any(img[:, -1 if dc > 0 else 0]):
        return None
    return np.roll(img, (dr, dc), axis=(0, 1))  # the row/column that wraps around is blank


class DigitSet(NamedTuple):
    """Images ``X`` (m, 1, 6, 6), labels ``y`` (m,) in {0, 1, 2} for the digits 1, 2, 3, and ``template`` (m,)
    saying which of the three drawings of that digit the image came from."""

    X: np.ndarray
    y: np.ndarray
    template: np.ndarray


def make_digits(n_per_digit: int = 32, seed: int = 0, flip: float = 0.04, shift: float = 0.5) -> DigitSet:
    r"""Seeded noisy 6x6 digits, ``n_per_digit`` images of each of 1, 2, 3 (in that order).

    Each image: a template chosen uniformly among the digit's three, moved one pixel in a random
    allowed direction with probability ``shift``, then each pixel flipped with probability ``flip``.

    Parameters
    ----------
    n_per_digit : int >= 1
    seed : seed of ``np.random.default_rng``
    flip : probability in [0, 0.5) that a pixel is flipped
    shift : probability in [0, 1] of a one-pixel move

    Returns
    -------
    DigitSet(X (3 n, 1, 6, 6), y (3 n,), template (3 n,))
    """
    if isinstance(n_per_digit, bool) or not isinstance(n_per_digit, int | np.integer) or n_per_digit < 1:
        raise ShapeError(f"make_digits: n_per_digit must be a positive integer (got {n_per_digit!r})")
    flip, shift = check_real("make_digits", "flip", flip), check_real("make_digits", "shift", shift)
    if not 0 <= flip < 0.5 or not 0 <= shift <= 1:
        raise ShapeError(f"make_digits: need 0 <= flip < 0.5 and 0 <= shift <= 1 (got flip={flip}, shift={shift})")
    rng = np.random.default_rng(check_seed("make_digits", seed))
    images, labels, which = [], [], []
    for label, digit in enumerate(DIGITS):
        for _ in range(n_per_digit):
            t = int(rng.integers(3))
            img = TEMPLATES[int(digit)][t]
            if rng.random() < shift:
                moves = [m for m in _SHIFTS[1:] if _shift(img, *m) is not None]
                img = _shift(img, *moves[int(rng.integers(len(moves)))])
            noise = rng.random(img.shape) < flip
            images.append(np.where(noise, 1.0 - img, img))
            labels.append(label)
            which.append(t)
    return DigitSet(np.array(images)[:, None], np.array(labels), np.array(which))


def train_test_digits(
    seed: int = 0, n_train_per_digit: int = 32, n_test_per_digit: int = 30
) -> tuple[DigitSet, DigitSet]:
    """A training set (96 images by default, like the seed's book) and a separate test set.

    The two sets come from different streams (``seed`` and ``seed + 1``), so no image is reused
    on purpose (a clean template can still appear in both, as it would in any real data set).
    """
    seed = check_seed("train_test_digits", seed)
    with reraise_as("train_test_digits"):
        return (make_digits(n_train_per_digit, seed),
                make_digits(n_test_per_digit, None if seed is None else seed + 1))
