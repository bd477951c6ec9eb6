"""Numbers as the book stores and prints them, so that a stored output means the same on every machine.

A chapter's stored outputs are compared, character for character, when the reader's machine re-runs it
(nbval). Another CPU, BLAS kernel or numpy build changes the last bits of a floating-point result, so the
book never stores those bits:

* :func:`glue` keeps a number rounded to a few significant digits (the prose formats it anyway) under a
  name, for the prose to show with ``{eval}`glued("name", ".4f")``` (MyST's inline expressions: MyST-NB
  evaluates them when it builds the HTML, jupyterlab-myst when the reader runs the chapter in JupyterLab,
  and the notebook stores the last results in each Markdown cell's metadata);
* :func:`glue_math` keeps a number already formatted as a formula (``$-0.1966$``,
  ``$9.4\\times 10^{15}$``), so that ``{eval}`glued("name")``` reads as typeset mathematics (a true minus
  sign, a power of ten) and not as program output;
* :func:`glued` is what the prose evaluates: a glued number formatted, a formula as LaTeX;
* :func:`within` turns an agreement check into a verdict against a stated tolerance
  (``"< 1e-12: True"``) instead of printing the rounding error itself.
"""

from __future__ import annotations

import math
import numbers
import re
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


#: What :func:`glue` and :func:`glue_math` kept in this kernel, by name (the prose's ``glued(name)``).
_GLUED: dict[str, Any] = {}
#: The names glued with ``varies=True``: measurements (timings) that differ from run to run.
_VARIES: set[str] = set()


def glue(name: str, value: Any, display: bool = False, digits: int = GLUE_DIGITS, varies: bool = False) -> None:
    """Keep ``value`` under ``name`` for the prose (``{eval}`glued("name", ".3f")```): floats (and numpy
    floats) rounded to ``digits`` significant digits (whole numbers below 2**53 exactly), numpy integers
    as Python ints; anything else (a string, an IPython ``Markdown``, ``Latex`` or ``Math`` object) unchanged.
    With ``display=True`` the cell also shows the value. ``varies=True`` marks a measurement that differs
    from run to run (a timing): :func:`glued_table` lists its name but not its value, and the checks of the
    stored numbers accept any value for it.

    The prose formats each number, so it never shows the dropped digits.
    """
    _check_name("glue", name)
    display = check_bool("glue", "display", display)
    varies = check_bool("glue", "varies", varies)
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
    _GLUED[name] = value
    (_VARIES.add if varies else _VARIES.discard)(name)
    if display:
        from IPython.display import display as show

        show(value)


_INLINE_MATH = re.compile(r"\$[^$]+\$")


def glued(name: str, fmt: str = "") -> Any:
    """What the prose shows for ``name`` (``{eval}`glued("name", ".4f")``` in a Markdown cell).

    A glued number or string comes back formatted with ``fmt`` (``format(value, fmt)``, a ``str``); a
    formula (from :func:`glue_math`, or ``Markdown("$...$")``) as an IPython ``Latex`` object, which
    both MyST-NB and JupyterLab typeset inline; ``Markdown`` words as their text; ``Math`` and ``Latex``
    objects unchanged (a hidden cell whose result is ``glued("name")`` shows a display formula).

    >>> glue("ratio", 0.123456789)
    >>> glued("ratio", ".3f")
    '0.123'
    """
    from IPython.display import Latex, Markdown

    _check_name("glued", name)
    if not isinstance(fmt, str):
        raise ShapeError(f"glued: fmt must be a format string such as '.4f', got {fmt!r}")
    if name not in _GLUED:
        raise ShapeError(f"glued: nothing is glued as {name!r} in this kernel: run the cell that calls "
                         f"glue({name!r}, ...) first")
    value = _GLUED[name]
    if isinstance(value, numbers.Number | str):
        try:
            return format(value, fmt)
        except ValueError as err:
            raise ShapeError(f"glued: {fmt!r} is not a format for {name!r} = {value!r} ({err})") from None
    if fmt:
        raise ShapeError(f"glued: {name!r} is a {type(value).__name__} object, which takes no format "
                         f"(got {fmt!r})")
    if isinstance(value, Markdown):
        text = value.data
        if _INLINE_MATH.fullmatch(text):
            return Latex(text)
        if "$" not in text:
            return text
    return value


def glued_table() -> None:
    """Print every value kept by :func:`glue` and :func:`glue_math` in this kernel, as JSON, one per line.

    The last cell of each chapter calls it, so that nbval compares every value the prose quotes on every
    machine (the values are rounded as :func:`glue` keeps them), and ``tests/test_glued.py`` checks that
    the results a notebook stores for its inline expressions follow from these values. A value glued with
    ``varies=True`` (a timing) is listed as ``{"kind": "float", "varies": true}``, without the value.
    """
    import json

    from IPython.display import Latex, Markdown, Math

    kinds = {Latex: "Latex", Math: "Math", Markdown: "Markdown"}
    for name, value in _GLUED.items():
        kind = next((k for t, k in kinds.items() if type(value) is t), None)
        if name in _VARIES:
            entry = {"kind": kind or type(value).__name__, "varies": True}
        elif kind is not None:
            entry = {"kind": kind, "data": value.data}
        elif isinstance(value, bool | int | float | str):
            entry = {"kind": type(value).__name__, "value": value}
        else:
            raise ShapeError(f"glued_table: {name!r} holds a {type(value).__name__}, which the book cannot "
                             "store (glue a number, a string, or a Latex, Math or Markdown object)")
        print(json.dumps({name: entry}, ensure_ascii=False))


def read_glued_table(text: str) -> tuple[dict[str, Any], set[str]]:
    """The inverse of :func:`glued_table`: from what it printed, every value as :func:`glue` kept it (a
    ``Latex``, ``Math`` or ``Markdown`` object rebuilt from its data), and the names listed as varying
    (timings, printed without a value). The book build and ``tests/test_glued.py`` read a notebook's
    stored last cell with it.

    >>> read_glued_table('{"p": {"kind": "float", "value": 0.5}}')
    ({'p': 0.5}, set())
    >>> read_glued_table('{"t": {"kind": "float", "varies": true}}')
    ({}, {'t'})
    """
    import json

    from IPython.display import Latex, Markdown, Math

    if not isinstance(text, str):
        raise ShapeError("read_glued_table: text must be what glued_table() printed (a str), "
                         f"got {type(text).__name__}")
    kinds = {"Latex": Latex, "Math": Math, "Markdown": Markdown}
    values: dict[str, Any] = {}
    varies: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        try:
            (name, entry), = json.loads(line).items()
            if entry.get("varies"):
                varies.add(name)
            else:
                values[name] = kinds[entry["kind"]](entry["data"]) if entry["kind"] in kinds else entry["value"]
        except (ValueError, AttributeError, KeyError, TypeError):
            raise ShapeError(f"read_glued_table: line {number} is not one glued_table() prints: "
                             f"{line[:80]!r}") from None
    return values, varies


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
    """Keep ``value`` as an inline formula (``$…$``, see :func:`tex_number`) under ``name``: the prose's
    ``{eval}`glued("name")``` then reads like the mathematics around it."""
    from IPython.display import Latex

    _check_name("glue_math", name)
    with reraise_as("glue_math"):
        tex = tex_number(value, fmt)
    _GLUED[name] = Latex(f"${tex}$")


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
