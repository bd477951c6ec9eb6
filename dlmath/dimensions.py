r"""The dimension table of a deep network (chapter "Deep L-layer networks", section "Shapes").

Seed 004's advice "check the shapes" as a tool: from the layer sizes [n_0, ..., n_L] alone,
:func:`dimension_table` gives the shape of every :math:`W^{[l]}, b^{[l]}, Z^{[l]}, A^{[l]}` (and so of every
gradient, which has the shape of its variable), and :func:`format_dimension_table` prints it.
Also importable from :mod:`dlmath.deep`, where it used to live.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .errors import ShapeError, is_whole, reraise_as


class LayerShapes(NamedTuple):
    """Shapes of one layer's arrays; each gradient dW, db, dZ, dA has the shape of W, b, Z, A."""

    l: int
    W: tuple
    b: tuple
    Z: tuple
    A: tuple



def _check_sizes(func: str, layer_sizes) -> list:
    sizes = list(layer_sizes) if isinstance(layer_sizes, list | tuple | np.ndarray) else [layer_sizes]
    if len(sizes) < 2 or not all(is_whole(n, 1) for n in sizes):
        raise ShapeError(f"{func}: layer_sizes must be [n_0, n_1, ..., n_L], at least two positive integers "
                         f"(got {sizes})")
    return [int(n) for n in sizes]


def dimension_table(layer_sizes, m: int | str = "m") -> list[LayerShapes]:
    r"""Shapes of :math:`W^{[l]}, b^{[l]}, Z^{[l]}, A^{[l]}` for :math:`l = 0..L` (row 0 is the input).

    .. math:: W^{[l]}: (n^{[l]}, n^{[l-1]}),\quad b^{[l]}: (n^{[l]}, 1),\quad Z^{[l]}, A^{[l]}: (n^{[l]}, m)

    Parameters
    ----------
    layer_sizes : sequence [n_0, n_1, ..., n_L] (n_0 inputs, n_L outputs)
    m : number of examples, or the symbol ``"m"``

    Returns
    -------
    list of LayerShapes(l, W, b, Z, A); for l = 0 only A (= X) is set, the rest are ``None``.
    """
    sizes = _check_sizes("dimension_table", layer_sizes)
    if not isinstance(m, str) and not is_whole(m, 1):
        raise ShapeError(f"dimension_table: m must be a positive number of examples or a symbol (got {m!r})")
    rows = [LayerShapes(0, None, None, None, (sizes[0], m))]
    for l in range(1, len(sizes)):
        rows.append(LayerShapes(l, (sizes[l], sizes[l - 1]), (sizes[l], 1), (sizes[l], m), (sizes[l], m)))
    return rows


def format_dimension_table(layer_sizes, m: int | str = "m") -> str:
    """The :func:`dimension_table` as aligned text, one line per layer."""
    head = ("l", "W[l] = dW[l]", "b[l] = db[l]", "Z[l] = dZ[l]", "A[l] = dA[l]")
    with reraise_as("format_dimension_table"):
        rows = dimension_table(layer_sizes, m)
    body = [(str(row.l), *("-" if v is None else f"({v[0]}, {v[1]})" for v in row[1:])) for row in rows]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(5)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [head, *body])
