"""Input checking shared by every public ``dlmath`` function.

Every public function validates its arguments on entry and raises :class:`ShapeError`
with a message that names the function, the rule that was broken and the actual shapes,
so a learner never has to decode a numpy broadcasting traceback.
"""

from __future__ import annotations

import numpy as np


class ShapeError(ValueError):
    """An argument has the wrong shape, holds NaN/inf where numbers are required, or breaks its rule
    (a negative learning rate, a fractional number of epochs, ...)."""


def as_array(func: str, name: str, x, ndim: int | None = None, *, finite: bool = True) -> np.ndarray:
    """Return ``x`` as a float64 array after checking its rank and finiteness.

    Parameters
    ----------
    func : name of the public function doing the check (it starts the message).
    name : name of the argument, as the caller's docstring spells it.
    x : array-like.
    ndim : required number of dimensions, or None for any.
    finite : reject NaN and +/-inf.
    """
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ShapeError(f"{func}: {name} must be an array of numbers ({exc})") from None
    if ndim is not None and arr.ndim != ndim:
        raise ShapeError(
            f"{func}: {name} must have {ndim} dimension{'s' if ndim != 1 else ''} "
            f"but has {arr.ndim} ({name} {arr.shape})"
        )
    if finite and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ShapeError(f"{func}: {name} contains {bad} NaN or infinite value(s) ({name} {arr.shape})")
    return arr


def same_shape(func: str, name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Raise :class:`ShapeError` unless ``a`` and ``b`` have exactly the same shape."""
    if a.shape != b.shape:
        raise ShapeError(
            f"{func}: {name_a} and {name_b} must have the same shape "
            f"({name_a} {a.shape}, {name_b} {b.shape})"
        )


def check_learning_rate(func: str, lr) -> float:
    """Return ``lr`` as a float after checking it is a finite number >= 0."""
    try:
        value = float(lr)
    except (TypeError, ValueError):
        value = float("nan")
    if not np.isfinite(value) or value < 0:
        raise ShapeError(f"{func}: the learning rate must be a finite number >= 0 (lr {lr})")
    return value


def check_epochs(func: str, epochs) -> int:
    """Return ``epochs`` as an int after checking it is a whole number >= 0."""
    try:
        whole = int(epochs) == epochs and epochs >= 0
    except (TypeError, ValueError, OverflowError):
        whole = False
    if not whole:
        raise ShapeError(f"{func}: epochs must be a whole number >= 0 (epochs {epochs})")
    return int(epochs)
