"""Numbers as the book stores and prints them, so that a stored output means the same on every machine.

A chapter's stored outputs are compared, character for character, when the reader's machine re-runs it
(nbval). Another CPU, BLAS kernel or numpy build changes the last bits of a floating-point result, so the
book never stores those bits:

* :func:`glue` stores a number rounded to a few significant digits (the prose formats it anyway);
* :func:`glue_math` stores a number already formatted as a formula (``$-0.1966$``,
  ``$9.4\\times 10^{15}$``), for the prose to paste with ``{glue:md}`name:myst``` so that it reads as
  typeset mathematics (a true minus sign, a power of ten) and not as program output;
* :func:`within` turns an agreement check into a verdict against a stated tolerance
  (``"< 1e-12: True"``) instead of printing the rounding error itself.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .errors import ShapeError, check_bool, reraise_as

#: Significant digits kept in a glued float. Results computed along different but equally valid
#: rounding paths (another BLAS kernel, a fused multiply-add, a numpy SIMD loop) agree to about
#: 1e-15 relative for direct formulas and 1e-11 after a few hundred training steps; six digits leave a
#: margin of five orders of magnitude, and no sentence of the book shows more than five.
GLUE_DIGITS = 6


def significant(x: float, digits: int = GLUE_DIGITS) -> float:
    """``x`` rounded to ``digits`` significant digits, as a Python float (0, inf and NaN unchanged).

    >>> significant(1.9980473890474035)
    1.99805
    >>> significant(-0.00012345678, 3)
    -0.000123
    """
    if isinstance(digits, bool) or not isinstance(digits, numbers.Integral) or not 1 <= digits <= 17:
        raise ShapeError(f"significant: digits must be an int from 1 to 17, got {digits!r}")
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ShapeError(f"significant: x must be a real number, got {type(x).__name__} {x!r}")
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return x
    return float(f"{x:.{digits - 1}e}")


def glue(name: str, value: Any, display: bool = False, digits: int = GLUE_DIGITS) -> None:
    """MyST-NB's ``glue`` for the book: floats (and numpy floats) are stored rounded to ``digits``
    significant digits (whole numbers below 2**53 exactly), numpy integers as Python ints; anything else
    is glued unchanged.

    The prose formats each value (``{glue:text}`name:.3f```), so it never shows the dropped digits.
    """
    from myst_nb import glue as myst_glue  # the book's dependency, not dlmath's

    _check_name("glue", name)
    display = check_bool("glue", "display", display)
    with reraise_as("glue"):
        significant(1.0, digits)  # checks digits
    if isinstance(value, bool | np.bool_):
        value = bool(value)
    elif isinstance(value, numbers.Integral):
        value = int(value)
    elif isinstance(value, numbers.Real):
        x = float(value)
        # A whole number below 2**53 (a count, a FLOP total) is exact on every machine: keep all its digits.
        value = x if x.is_integer() and abs(x) < 2.0**53 else significant(x, digits)
    myst_glue(name, value, display=display)


def tex_number(x: float, fmt: str = ".4g") -> str:
    r"""``x`` formatted with ``fmt`` and written as TeX: ``-0.1966``, ``9.4\times 10^{15}``, ``4\times 10^{-13}``.

    >>> tex_number(9.444e15, ".1e")
    '9.4\\times 10^{15}'
    >>> tex_number(-0.19661193, ".4f")
    '-0.1966'
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ShapeError(f"tex_number: x must be a real number, got {type(x).__name__} {x!r}")
    if not isinstance(fmt, str):
        raise ShapeError(f"tex_number: fmt must be a format string such as '.4f', got {fmt!r}")
    try:
        text = format(float(x), fmt)
    except ValueError as err:
        raise ShapeError(f"tex_number: {fmt!r} is not a format for a float ({err})") from None
    if not math.isfinite(float(x)):
        return {"inf": r"\infty", "-inf": r"-\infty"}.get(text, r"\mathrm{NaN}")
    mantissa, _, exponent = text.lower().partition("e")
    mantissa = mantissa.replace(",", "{,}")
    if not exponent:
        return mantissa
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa in ("1", "1.0") else f"{mantissa}\\times {power}"


def glue_math(name: str, value: float, fmt: str = ".4g") -> None:
    """Glue ``value`` as an inline formula (``$…$``, see :func:`tex_number`), to paste into a sentence
    with ``{glue:md}`name:myst``` (the ``:myst`` format parses the dollars as math; plain ``{glue:md}`` pastes
    CommonMark and would show them raw): the number then reads like the mathematics around it."""
    from IPython.display import Markdown
    from myst_nb import glue as myst_glue

    _check_name("glue_math", name)
    with reraise_as("glue_math"):
        tex = tex_number(value, fmt)
    myst_glue(name, Markdown(f"${tex}$"), display=False)


def _check_name(func: str, name) -> None:
    if not isinstance(name, str) or not name.isidentifier():
        raise ShapeError(f"{func}: name must be a glue key made of letters, digits and _ (got {name!r})")


def within(err: float, tol: float) -> str:
    """A check as a verdict that does not depend on the last bits: ``"< 1e-12: True"``.

    ``err`` is a measured error (relative error, largest absolute difference), ``tol`` the tolerance the
    analysis gives for it; the text shows the tolerance and whether the error is below it.

    >>> within(3.4e-17, 1e-12)
    '< 1e-12: True'
    """
    for label, v in (("err", err), ("tol", tol)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise ShapeError(f"within: {label} must be a real number, got {type(v).__name__} {v!r}")
    if not math.isfinite(tol) or tol <= 0:
        raise ShapeError(f"within: tol must be a positive finite number, got {tol!r}")
    if math.isnan(err) or err < 0:
        raise ShapeError(f"within: err must be a non-negative number (an error or a distance), got {err!r}")
    return f"< {tol:.0e}: {bool(err < tol)}".replace("e-0", "e-").replace("e+0", "e")
