"""Hypothesis strategies shared by the tests (after minitorch's tests/strategies.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

# Values of moderate size: finite differences stay accurate and nothing saturates by accident.
small_floats = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False, allow_infinity=False)
dims = st.integers(min_value=1, max_value=5)


def matrices(rows=dims, cols=dims, elements=small_floats):
    """Float64 matrices of a drawn (rows, cols) shape."""
    return st.tuples(rows, cols).flatmap(lambda s: arrays(np.float64, s, elements=elements))


def any_shape_arrays(elements=small_floats):
    """Float64 arrays of rank 1 to 3."""
    shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)
    return shapes.flatmap(lambda s: arrays(np.float64, s, elements=elements))
