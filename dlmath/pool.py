r"""Average and L2 pooling, vectorized (chapter "Backpropagation in a convolutional network").

The two pooling kinds seed 002 names next to max pooling (:func:`dlmath.conv.maxpool2d_forward`).
Layout NCHW as in PyTorch: ``A`` (m, C, H, W) -> ``P`` (m, C, Ho, Wo); square ``size`` x ``size``
windows moved by ``stride``, overlapping when ``stride < size``.  Window :math:`(i, j)` covers rows
:math:`si \dots si + k - 1` and columns :math:`sj \dots sj + k - 1` (:math:`k` = ``size``, :math:`s` = ``stride``):

.. math:: \text{average: } a^P_{n,c,i,j} = \frac{1}{k^2} \sum_{0 \le p,q < k} a_{n,c,\,si+p,\,sj+q}, \qquad
          \text{L2: } a^P_{n,c,i,j} = \Big(\sum_{0 \le p,q < k} a_{n,c,\,si+p,\,sj+q}^2\Big)^{1/2}

and their backward rules: average pooling spreads :math:`\delta/k^2` evenly over the window; L2 pooling
sends :math:`\delta\, a / \lVert \text{window} \rVert` to each entry ``a``.  Overlapping windows add.

**Output size: PyTorch's floor rule.** :math:`H_o = \lfloor (H - k)/s \rfloor + 1`, likewise :math:`W_o`,
as ``torch.nn.functional.avg_pool2d`` and ``lp_pool2d`` (``ceil_mode=False``) compute it.  When the
windows do not tile the input, the last :math:`(H - k) \bmod s` rows (columns) lie in no window (as do the
gaps between windows when :math:`s > k`): they do not affect ``P`` and get zero gradient.  This differs
from :func:`dlmath.conv.maxpool2d_forward` and the convolution, which refuse a non-whole :math:`(H - k)/s + 1`.

Like :mod:`dlmath.conv`, the code visits the window's :math:`k^2` taps :math:`(p, q)` as whole strided
arrays ``A[:, :, p : p + s Ho : s, q : q + s Wo : s]`` (entry :math:`(i, j)` of that array is tap
:math:`(p, q)` of window :math:`(i, j)`).  ``dlmath.pool_loops`` holds the loop versions (the oracle).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from .conv import _check_int, check_upstream
from .errors import ShapeError, as_array, check_cache

__all__ = [
    "AvgPool2dCache",
    "L2Pool2dCache",
    "avgpool2d_backward",
    "avgpool2d_forward",
    "check_floor_pool_args",
    "l2pool2d_backward",
    "l2pool2d_forward",
    "pool_output_size",
]


def pool_output_size(func: str, what: str, n: int, k: int, stride: int) -> int:
    r"""Output length :math:`\lfloor (n - k)/s \rfloor + 1` along one axis (PyTorch's floor rule, no padding).

    Raises :class:`ShapeError` (naming ``func`` and the axis ``what``) when the window is larger than the input.
    """
    n = _check_int(func, f"input {what}", n, 1)
    k = _check_int(func, "size", k, 1)
    stride = _check_int(func, "stride", stride, 1)
    if k > n:
        raise ShapeError(f"{func}: the {what} window ({k}) is larger than the input {what} ({n}); size must be <= {n}")
    return (n - k) // stride + 1


def check_floor_pool_args(func: str, A, size, stride):
    """Validate the arguments of an average or L2 pooling; return ``(A, size, stride, Ho, Wo)`` (loops share it)."""
    A = as_array(func, "A", A, 4)
    size = _check_int(func, "size", size, 1)
    stride = _check_int(func, "stride", stride, 1)
    Ho = pool_output_size(func, "height", A.shape[2], size, stride)
    Wo = pool_output_size(func, "width", A.shape[3], size, stride)
    return A, size, stride, Ho, Wo


def _taps(k: int, s: int, Ho: int, Wo: int) -> Iterator[tuple[slice, ...]]:
    """Index of tap (p, q) of every window at once, in row-major tap order: ``A[tap]`` is (m, C, Ho, Wo)."""
    for t in range(k * k):
        u, v = divmod(t, k)
        yield (slice(None), slice(None), slice(u, u + s * Ho, s), slice(v, v + s * Wo, s))


class AvgPool2dCache(NamedTuple):
    """What ``avgpool2d_backward`` needs: the input's shape and the window (the values do not matter)."""

    shape: tuple[int, int, int, int]
    size: int
    stride: int


def avgpool2d_forward(A, size: int = 2, stride: int = 2) -> tuple[np.ndarray, AvgPool2dCache]:
    r"""Average pooling over ``size`` x ``size`` windows moved by ``stride`` (chapter: CNN).

    .. math:: a^P_{n,c,i,j} = \frac{1}{k^2} \sum_{0 \le p,q < k} a_{n,c,\,si+p,\,sj+q}

    Output size by PyTorch's floor rule, :math:`H_o = \lfloor (H - k)/s \rfloor + 1`: rows and columns
    past the last whole window are ignored (max pooling in :mod:`dlmath.conv` refuses such shapes instead).
    Same values as ``torch.nn.functional.avg_pool2d(A, size, stride)``.

    Parameters
    ----------
    A : ndarray, shape (m, C, H, W), finite
    size : int >= 1, window side k, at most H and W
    stride : int >= 1, s (windows overlap when s < k)

    Returns
    -------
    P : (m, C, Ho, Wo) with Ho = floor((H - k)/s) + 1, Wo = floor((W - k)/s) + 1; cache : AvgPool2dCache
    """
    A, k, s, Ho, Wo = check_floor_pool_args("avgpool2d_forward", A, size, stride)
    P = np.zeros(A.shape[:2] + (Ho, Wo))
    for tap in _taps(k, s, Ho, Wo):  # divide each term, not the sum: the mean of entries near 1e308 is finite
        P += A[tap] / (k * k)
    return P, AvgPool2dCache(A.shape, k, s)


def avgpool2d_backward(dP, cache: AvgPool2dCache) -> np.ndarray:
    r"""Backward pass of :func:`avgpool2d_forward`: each window spreads its gradient evenly (chapter: CNN).

    .. math:: \frac{\partial L}{\partial a_{n,c,h,w}} = \frac{1}{k^2} \sum_{(i,j):\ (h,w) \in \text{window}(i,j)}
              \frac{\partial L}{\partial a^P_{n,c,i,j}}

    Every window gives each of its :math:`k^2` entries :math:`\delta_{ij}/k^2`, so it hands out exactly
    :math:`\delta_{ij}` in total; overlapping windows add; rows/columns in no window get 0.

    Parameters
    ----------
    dP : ndarray, shape (m, C, Ho, Wo)
    cache : AvgPool2dCache from avgpool2d_forward

    Returns
    -------
    dA : (m, C, H, W)
    """
    func = "avgpool2d_backward"
    (m, C, H, W), k, s = check_cache(func, cache, AvgPool2dCache, "avgpool2d_forward")
    Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
    dP = check_upstream(func, "dP", dP, (m, C, Ho, Wo), "dP must be (m, C, Ho, Wo)")
    share = dP / (k * k)
    dA = np.zeros((m, C, H, W))
    for tap in _taps(k, s, Ho, Wo):  # windows at one tap touch distinct pixels: a strided add, no collisions
        dA[tap] += share
    return dA


class L2Pool2dCache(NamedTuple):
    """What ``l2pool2d_backward`` needs: the input, the window and each window's norm."""

    A: np.ndarray
    size: int
    stride: int
    P: np.ndarray  # (m, C, Ho, Wo): the norm of every window, the forward output


def l2pool2d_forward(A, size: int = 2, stride: int = 2) -> tuple[np.ndarray, L2Pool2dCache]:
    r"""L2 pooling: the Euclidean norm of each ``size`` x ``size`` window moved by ``stride`` (chapter: CNN).

    .. math:: a^P_{n,c,i,j} = \Big(\sum_{0 \le p,q < k} a_{n,c,\,si+p,\,sj+q}^2\Big)^{1/2}
              = M \Big(\sum_{p,q} (a_{n,c,\,si+p,\,sj+q}/M)^2\Big)^{1/2},\quad M = \max_{p,q} |a_{n,c,\,si+p,\,sj+q}|

    The second form is what the code computes (for :math:`M > 0`; an all-zero window gives 0): it neither
    overflows for entries near 1e200 nor underflows to 0 for entries near 1e-200, where squaring first would.
    Output size by PyTorch's floor rule, :math:`H_o = \lfloor (H - k)/s \rfloor + 1`, leftover rows and
    columns ignored (max pooling in :mod:`dlmath.conv` refuses such shapes instead).  Same values as
    ``torch.nn.functional.lp_pool2d(A, 2, size, stride)``.

    Parameters
    ----------
    A : ndarray, shape (m, C, H, W), finite
    size : int >= 1, window side k, at most H and W
    stride : int >= 1, s (windows overlap when s < k)

    Returns
    -------
    P : (m, C, Ho, Wo) with Ho = floor((H - k)/s) + 1, Wo = floor((W - k)/s) + 1, every entry >= 0;
    cache : L2Pool2dCache
    """
    A, k, s, Ho, Wo = check_floor_pool_args("l2pool2d_forward", A, size, stride)
    M = np.zeros(A.shape[:2] + (Ho, Wo))
    for tap in _taps(k, s, Ho, Wo):
        np.maximum(M, np.abs(A[tap]), out=M)
    scale = np.where(M > 0, M, 1.0)  # an all-zero window: divide its zeros by 1, its sum stays 0
    total = np.zeros_like(M)
    for tap in _taps(k, s, Ho, Wo):
        total += np.square(A[tap] / scale)
    with np.errstate(over="ignore"):  # an overflow becomes inf here and is refused just below
        P = M * np.sqrt(total)
    if not np.all(np.isfinite(P)):
        raise ShapeError(f"l2pool2d_forward: a window's norm overflows float64 (largest |a| = {np.max(M):g}); "
                         f"scale A down")
    return P, L2Pool2dCache(A, k, s, P)


def l2pool2d_backward(dP, cache: L2Pool2dCache) -> np.ndarray:
    r"""Backward of :func:`l2pool2d_forward`: entry a of window w gets :math:`\delta a/\lVert w \rVert` (chapter: CNN).

    .. math:: \frac{\partial L}{\partial a_{n,c,h,w}} = \sum_{(i,j):\ (h,w) \in \text{window}(i,j)}
              \frac{\partial L}{\partial a^P_{n,c,i,j}}\, \frac{a_{n,c,h,w}}{a^P_{n,c,i,j}}

    **All-zero window** (:math:`a^P = 0`): the norm has no derivative there (the slope of
    :math:`\sqrt{\cdot}` at 0 is infinite, and autograd through a literal ``sqrt(sum(a**2))`` gives
    :math:`\infty \cdot 0 =` NaN).  dlmath uses the zero subgradient: such a window sends 0 to its entries
    (0 is a subgradient of the norm at 0 since :math:`\lVert v\rVert \ge 0 \cdot v` for every v), as
    ``lp_pool2d`` and ``torch.linalg.vector_norm`` do in PyTorch 2.13.  No division by zero happens.
    Overlapping windows add; rows/columns in no window get 0.

    Parameters
    ----------
    dP : ndarray, shape (m, C, Ho, Wo)
    cache : L2Pool2dCache from l2pool2d_forward

    Returns
    -------
    dA : (m, C, H, W)
    """
    func = "l2pool2d_backward"
    A, k, s, P = check_cache(func, cache, L2Pool2dCache, "l2pool2d_forward")
    dP = check_upstream(func, "dP", dP, P.shape, "dP must be (m, C, Ho, Wo)")
    Ho, Wo = P.shape[2:]
    # a / ||window|| lies in [-1, 1] (never overflows, unlike dP / ||window|| first).  An all-zero window
    # divides its zeros by 1 instead of 0: its entries get exactly 0, the zero-subgradient convention.
    norm = np.where(P > 0, P, 1.0)
    dA = np.zeros_like(A)
    for tap in _taps(k, s, Ho, Wo):
        dA[tap] += dP * (A[tap] / norm)
    return dA
