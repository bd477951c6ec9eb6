r"""Loop versions of average and L2 pooling, written like the chapter's index formulas.

Slow and obvious on purpose: they are the oracle the tests hold :mod:`dlmath.pool` equal to.  Same
signatures, layout (NCHW), floor rule :math:`H_o = \lfloor (H - k)/s \rfloor + 1` and zero-window
convention as :mod:`dlmath.pool`; the norm is the textbook :math:`\sqrt{\sum a^2}`, without the rescaling
by the window's largest entry that :mod:`dlmath.pool` uses against overflow, so here the norm of entries
below about 1e-154 underflows to 0 and entries of 1e150 or more are refused (their squares would overflow).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .conv import check_upstream
from .errors import ShapeError, check_cache
from .pool import check_floor_pool_args

__all__ = ["LoopFloorPoolCache", "avgpool2d_backward", "avgpool2d_forward", "l2pool2d_backward", "l2pool2d_forward"]


class LoopFloorPoolCache(NamedTuple):
    """The input and hyper-parameters of a loop pooling."""

    A: np.ndarray
    size: int
    stride: int


def avgpool2d_forward(A, size: int = 2, stride: int = 2) -> tuple[np.ndarray, LoopFloorPoolCache]:
    r"""Loop average pooling, :math:`a^P_{n,c,i,j} = \frac{1}{k^2}\sum_{p,q} a_{n,c,\,si+p,\,sj+q}`.

    Shapes: A (m, C, H, W) -> P (m, C, Ho, Wo), Ho = floor((H - size)/stride) + 1.
    """
    A, k, s, Ho, Wo = check_floor_pool_args("avgpool2d_forward", A, size, stride)
    m, C = A.shape[:2]
    P = np.zeros((m, C, Ho, Wo))
    for n in range(m):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    P[n, c, i, j] = np.sum(A[n, c, s * i : s * i + k, s * j : s * j + k] / (k * k))
    return P, LoopFloorPoolCache(A, k, s)


def avgpool2d_backward(dP, cache: LoopFloorPoolCache) -> np.ndarray:
    r"""Loop backward of average pooling: :math:`\partial a^P_{ij} / \partial a = 1/k^2` for each entry of the window.

    Returns
    -------
    dA : (m, C, H, W)
    """
    A, k, s = check_cache("avgpool2d_backward", cache, LoopFloorPoolCache, "dlmath.pool_loops.avgpool2d_forward")
    m, C, H, W = A.shape
    Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
    dP = check_upstream("avgpool2d_backward", "dP", dP, (m, C, Ho, Wo), "dP must be (m, C, Ho, Wo)")
    dA = np.zeros_like(A)
    for n in range(m):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    for p in range(k):
                        for q in range(k):
                            dA[n, c, s * i + p, s * j + q] += dP[n, c, i, j] / (k * k)
    return dA


def l2pool2d_forward(A, size: int = 2, stride: int = 2) -> tuple[np.ndarray, LoopFloorPoolCache]:
    r"""Loop L2 pooling, :math:`a^P_{n,c,i,j} = \sqrt{\sum_{p,q} a_{n,c,\,si+p,\,sj+q}^2}`.

    Shapes: A (m, C, H, W) -> P (m, C, Ho, Wo), Ho = floor((H - size)/stride) + 1.
    """
    A, k, s, Ho, Wo = check_floor_pool_args("l2pool2d_forward", A, size, stride)
    if np.max(np.abs(A)) >= 1e150:  # (1e150)^2 k^2 stays below the largest float64 (1.8e308) for any k < 1e4
        raise ShapeError(f"l2pool2d_forward: this loop version squares first, so |a| must stay below 1e150 "
                         f"(largest |a| = {np.max(np.abs(A)):g}); dlmath.pool.l2pool2d_forward takes it")
    m, C = A.shape[:2]
    P = np.zeros((m, C, Ho, Wo))
    for n in range(m):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    P[n, c, i, j] = np.sqrt(np.sum(A[n, c, s * i : s * i + k, s * j : s * j + k] ** 2))
    return P, LoopFloorPoolCache(A, k, s)


def l2pool2d_backward(dP, cache: LoopFloorPoolCache) -> np.ndarray:
    r"""Loop backward of L2 pooling: :math:`\partial \lVert w\rVert / \partial a = a / \lVert w\rVert` (0 if w = 0).

    Returns
    -------
    dA : (m, C, H, W)
    """
    A, k, s = check_cache("l2pool2d_backward", cache, LoopFloorPoolCache, "dlmath.pool_loops.l2pool2d_forward")
    m, C, H, W = A.shape
    Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
    dP = check_upstream("l2pool2d_backward", "dP", dP, (m, C, Ho, Wo), "dP must be (m, C, Ho, Wo)")
    dA = np.zeros_like(A)
    for n in range(m):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    norm = np.sqrt(np.sum(A[n, c, s * i : s * i + k, s * j : s * j + k] ** 2))
                    if norm == 0.0:  # all-zero window: the zero subgradient, nothing is sent back
                        continue
                    for p in range(k):
                        for q in range(k):
                            dA[n, c, s * i + p, s * j + q] += dP[n, c, i, j] * A[n, c, s * i + p, s * j + q] / norm
    return dA
