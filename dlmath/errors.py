"""Input checking shared by every public ``dlmath`` function.

Every public function validates its arguments on entry and raises :class:`ShapeError`
with a message that names the function, the rule that was broken and the actual shapes,
so a learner never has to decode a numpy broadcasting traceback.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np


class ShapeError(ValueError):
    """An argument has the wrong shape, holds NaN/inf where numbers are required, or breaks its rule
    (a negative learning rate, a fractional number of epochs, ...)."""


class DomainError(ValueError):
    """A number lies outside the domain where an operation has a finite real value: the logarithm of
    a number <= 0, a fractional power of a negative number, an exponential that overflows float64."""


def as_array(func: str, name: str, x, ndim: int | None = None, *, finite: bool = True) -> np.ndarray:
    """Return ``x`` as a float64 array after checking its rank and finiteness.

    Refuses, with a message starting ``func:``, what would otherwise be coerced silently: ``None`` (numpy
    makes it NaN), strings (``"1.5"`` would be parsed) and complex numbers (the imaginary part would be dropped).

    Parameters
    ----------
    func : name of the public function doing the check (it starts the message).
    name : name of the argument, as the caller's docstring spells it.
    x : array-like.
    ndim : required number of dimensions, or None for any.
    finite : reject NaN and +/-inf.
    """
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        arr = x
    else:
        if x is None or isinstance(x, str | bytes | dict | set):
            raise ShapeError(f"{func}: {name} must be an array of numbers (got {type(x).__name__})")
        try:
            raw = np.asarray(x)
            if raw.dtype.kind == "c" or (raw.dtype == object and any(isinstance(v, complex) for v in raw.flat)):
                raise ShapeError(f"{func}: {name} must be real, not complex (the imaginary part would be dropped; "
                                 f"{name} dtype {raw.dtype})")
            if raw.dtype.kind in "USVM":
                raise TypeError(f"dtype {raw.dtype}")
            arr = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ShapeError):
                raise
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
    if np.shape(a) != np.shape(b) or a is None or b is None:
        raise ShapeError(
            f"{func}: {name_a} and {name_b} must have the same shape "
            f"({name_a} {np.shape(a) if a is not None else None}, {name_b} {np.shape(b) if b is not None else None})"
        )


def _real(value) -> float:
    """``value`` as a float if it is a real number (not a bool, string, complex or array), else NaN."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        return float("nan")
    return float(value)


def check_learning_rate(func: str, lr) -> float:
    """Return ``lr`` as a float after checking it is a finite number >= 0."""
    value = _real(lr)
    if not np.isfinite(value) or value < 0:
        raise ShapeError(f"{func}: the learning rate must be a finite number >= 0 (lr {lr!r})")
    return value


def check_epochs(func: str, epochs) -> int:
    """Return ``epochs`` as an int after checking it is a whole number >= 0."""
    value = _real(epochs)
    whole = np.isfinite(value) and value == int(value) and value >= 0
    if not whole:
        raise ShapeError(f"{func}: epochs must be a whole number >= 0 (epochs {epochs})")
    return int(epochs)


def check_real(func: str, name: str, value, *, low: float | None = None, strict: bool = False,
               high: float | None = None, high_strict: bool = False) -> float:
    """Return ``value`` as a float after checking it is a finite real number (not complex, bool, str or None)
    within ``[low, high]`` (``strict``/``high_strict`` exclude the bound)."""
    x = _real(value)
    ok = np.isfinite(x) and (low is None or (x > low if strict else x >= low))
    ok = ok and (high is None or (x < high if high_strict else x <= high))
    if not ok:
        rule = "a finite real number"
        if low is not None:
            rule += f" {'>' if strict else '>='} {low:g}"
        if high is not None:
            rule += f"{' and' if low is not None else ''} {'<' if high_strict else '<='} {high:g}"
        raise ShapeError(f"{func}: {name} must be {rule} (got {value!r})")
    return x


def check_int(func: str, name: str, value, low: int = 1, rule: str = "") -> int:
    """Return ``value`` as an int after checking it is an integer (int or numpy integer, not bool) >= low;
    ``rule`` (e.g. "need at least 2 examples") goes first in the message."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer) or value < low:
        raise ShapeError(f"{func}: {rule + '; ' if rule else ''}{name} must be an integer >= {low} (got {value!r})")
    return int(value)


def check_seed(func: str, seed):
    """A seed for ``np.random.default_rng``: None or an integer >= 0 (not a bool, float or string)."""
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool | np.bool_) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ShapeError(f"{func}: seed must be None or an integer >= 0 (got {seed!r})")
    return int(seed)


def check_bool(func: str, name: str, value) -> bool:
    """Accept only True/False (Python or numpy bools): the string ``"False"`` would count as true."""
    if not isinstance(value, bool | np.bool_):
        raise ShapeError(f"{func}: {name} must be True or False (got {value!r})")
    return bool(value)


def check_tolerance(func: str, tol) -> float:
    """A tolerance is a finite number > 0 (tol = 0 could never pass, NaN would never compare)."""
    return check_real(func, "tol", tol, low=0.0, strict=True)


def check_choice(func: str, name: str, value, choices) -> str:
    """``value`` must be one of the strings ``choices`` (a list or None is refused without a hashing error)."""
    if not isinstance(value, str) or value not in choices:
        raise ShapeError(f"{func}: {name} must be one of {sorted(choices)} (unknown {name} {value!r})")
    return value


def check_callable(func: str, name: str, f) -> None:
    """Refuse a non-callable before it is called deep inside a loop."""
    if not callable(f):
        raise ShapeError(f"{func}: {name} must be a function (got {type(f).__name__})")


def check_finite_number(func: str, what: str, value) -> float:
    """``value`` (e.g. what a user's function returned) must be a finite real number."""
    x = _real(value)
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "fiu":
        x = float(value)
    if not np.isfinite(x):
        raise ShapeError(f"{func}: {what} must be a finite number (got {value!r})")
    return x


def check_finite_result(func: str, what: str, arr: np.ndarray, hint: str = "") -> np.ndarray:
    """Refuse a result that overflowed to inf or NaN instead of returning it."""
    if not np.all(np.isfinite(arr)):
        raise ShapeError(f"{func}: {what} is not finite (overflow or NaN){'; ' + hint if hint else ''}")
    return arr


# Which function makes each cache, for "expected the LinearCache from linear_forward, got ..." messages.
CACHE_PRODUCERS = {
    "LinearCache": "linear_forward", "Conv2dCache": "dlmath.conv.conv2d_forward",
    "MaxPool2dCache": "dlmath.conv.maxpool2d_forward", "LoopConvCache": "dlmath.conv_loops.conv2d_forward",
    "LoopPoolCache": "dlmath.conv_loops.maxpool2d_forward", "LayerCache": "model_forward",
    "TestNetCache": "testnet_forward", "RowCache": "forward_rows", "CNNCache": "cnn_forward",
}


def describe(obj) -> str:
    """How an error message names an object a student passed: 'a LinearCache from linear_forward', 'None', ..."""
    if obj is None:
        return "None"
    kind = type(obj).__name__
    article = "an" if kind[0] in "AEIOU" else "a"
    producer = getattr(obj, "producer", None) if isinstance(obj, tuple) else None
    producer = producer or CACHE_PRODUCERS.get(kind)
    return f"{article} {kind}" + (f" from {producer}" if producer else "")


def check_cache(func: str, cache, expected: type, producer: str, name: str = "cache"):
    """``cache`` must be an instance of the NamedTuple ``expected`` (what ``producer`` returns)."""
    if not isinstance(cache, expected):
        raise ShapeError(f"{func}: {name}: expected the {expected.__name__} from {producer}, got {describe(cache)}")
    return cache


def check_format(func: str, fmt) -> str:
    """A format spec for numbers, such as ``".2f"``, tried on 1.0 before any drawing starts."""
    try:
        format(1.0, fmt)
    except (TypeError, ValueError):
        raise ShapeError(f"{func}: fmt must be a number format such as '.2f' or '.3g' (got {fmt!r})") from None
    return fmt


def check_figure(func: str, fig) -> None:
    """A plotting function draws on a matplotlib Figure."""
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise ShapeError(f"{func}: fig must be a matplotlib Figure, e.g. plt.figure() (got {describe(fig)})")


def is_whole(value, low: int) -> bool:
    """True if ``value`` is a real whole number >= low (3 and 3.0, not True, '3', None or 2.5)."""
    x = _real(value)
    return bool(np.isfinite(x) and x == int(x) and x >= low)


@contextmanager
def reraise_as(func: str, context: str = ""):
    """Inside this block, a :class:`ShapeError` raised by an inner dlmath function is raised again with a
    message that starts with ``func`` (the function the student called) and keeps the inner detail::

        train: epoch 0, loss: binary_cross_entropy_with_logits: Y must ...
    """
    try:
        yield
    except ShapeError as err:
        msg = str(err)
        if msg.startswith(f"{func}:"):
            raise
        raise ShapeError(f"{func}: {context + ': ' if context else ''}{msg}") from err
