r"""Loop versions of convolution and max pooling, written like the chapter's index formulas.

Slow and obvious on purpose: they are the oracle the tests hold :mod:`dlmath.conv` equal to, and the
code the chapter shows next to each formula.  Same signatures, layout (NCHW) and tie rule as
:mod:`dlmath.conv`: a max-pool tie sends the whole gradient to the first maximum in row-major
window order, found here by an explicit scan with a strict ``>``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .conv import check_conv_args, check_pool_args, check_upstream
from .errors import check_cache

__all__ = ["LoopConvCache", "LoopPoolCache", "conv2d_backward", "conv2d_forward", "maxpool2d_backward",
           "maxpool2d_forward"]


class LoopConvCache(NamedTuple):
    """The inputs and hyper-parameters of :func:`conv2d_forward`."""

    X: np.ndarray
    W: np.ndarray
    b: np.ndarray
    stride: int
    pad: int


def _pad(X: np.ndarray, p: int) -> np.ndarray:
    return np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))


def conv2d_forward(X, W, b, stride: int = 1, pad: int = 0) -> tuple[np.ndarray, LoopConvCache]:
    r"""Loop cross-correlation.

    .. math:: z_{n,f,i,j} = \sum_{c,p,q} w_{f,c,p,q}\, x^{pad}_{n,c,\,si+p,\,sj+q} + b_f

    Shapes as :func:`dlmath.conv.conv2d_forward`: X (m, C, H, W), W (F, C, kh, kw), b (F,) -> Z (m, F, Ho, Wo).
    """
    X, W, b, s, p, Ho, Wo = check_conv_args("conv2d_forward", X, W, b, stride, pad)
    m, F, kh, kw = X.shape[0], W.shape[0], W.shape[2], W.shape[3]
    Xp = _pad(X, p)
    Z = np.zeros((m, F, Ho, Wo))
    for n in range(m):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    Z[n, f, i, j] = np.sum(W[f] * Xp[n, :, s * i : s * i + kh, s * j : s * j + kw]) + b[f]
    return Z, LoopConvCache(X, W, b, s, p)


def conv2d_backward(dZ, cache: LoopConvCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Loop backward pass of the convolution.

    .. math:: \frac{\partial L}{\partial w_{f,c,p,q}} = \sum_{n,i,j} \delta_{n,f,i,j}\, x^{pad}_{n,c,\,si+p,\,sj+q},
              \quad \frac{\partial L}{\partial b_f} = \sum_{n,i,j} \delta_{n,f,i,j}

    and each output's :math:`\delta_{n,f,i,j}\, w_{f}` is added back onto the receptive field it came from.

    Returns
    -------
    dX : (m, C, H, W); dW : (F, C, kh, kw); db : (F,)
    """
    X, W, _, s, p = check_cache("conv2d_backward", cache, LoopConvCache, "dlmath.conv_loops.conv2d_forward")
    m, C, H, Wd = X.shape
    F, _, kh, kw = W.shape
    Ho, Wo = (H + 2 * p - kh) // s + 1, (Wd + 2 * p - kw) // s + 1
    delta = check_upstream("conv2d_backward", "dZ", dZ, (m, F, Ho, Wo), "dZ must be (m, F, Ho, Wo)")
    Xp = _pad(X, p)
    dW = np.zeros_like(W)
    db = np.zeros(F)
    for f in range(F):  # the filter gradient: correlation of delta with the input
        db[f] = np.sum(delta[:, f])
        for c in range(C):
            for u in range(kh):
                for v in range(kw):
                    dW[f, c, u, v] = np.sum(delta[:, f] * Xp[:, c, u : u + s * Ho : s, v : v + s * Wo : s])
    dXp = np.zeros_like(Xp)
    for n in range(m):  # the input gradient: each output sends delta * filter back to its receptive field
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    dXp[n, :, s * i : s * i + kh, s * j : s * j + kw] += delta[n, f, i, j] * W[f]
    return dXp[:, :, p : p + H, p : p + Wd].copy(), dW, db


class LoopPoolCache(NamedTuple):
    """The input and hyper-parameters of :func:`maxpool2d_forward`."""

    A: np.ndarray
    size: int
    stride: int


def _first_max(window: np.ndarray) -> tuple[int, int]:
    """Row-major scan with a strict '>', so a tie keeps the first maximum."""
    best, where = window[0, 0], (0, 0)
    for u in range(window.shape[0]):
        for v in range(window.shape[1]):
            if window[u, v] > best:
                best, where = window[u, v], (u, v)
    return where


def maxpool2d_forward(A, size: int = 2, stride: int = 2) -> tuple[np.ndarray, LoopPoolCache]:
    r"""Loop max pooling, :math:`a^P_{n,c,i,j} = \max_{p,q} a_{n,c,\,si+p,\,sj+q}`.

    Shapes: A (m, C, H, W) -> P (m, C, Ho, Wo), Ho = (H - size)/stride + 1 (must be whole).
    """
    A, k, s, Ho, Wo = check_pool_args("maxpool2d_forward", A, size, stride)
    m, C = A.shape[:2]
    P = np.zeros((m, C, Ho, Wo))
    for n in range(m):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = A[n, c, s * i : s * i + k, s * j : s * j + k]
                    u, v = _first_max(window)
                    P[n, c, i, j] = window[u, v]
    return P, LoopPoolCache(A, k, s)


def maxpool2d_backward(dP, cache: LoopPoolCache) -> np.ndarray:
    r"""Loop backward of max pooling: the derivative of a window's max is 1 at its (first) maximum, 0 elsewhere.

    Returns
    -------
    dA : (m, C, H, W)
    """
    A, k, s = check_cache("maxpool2d_backward", cache, LoopPoolCache, "dlmath.conv_loops.maxpool2d_forward")
    m, C, H, W = A.shape
    Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
    dP = check_upstream("maxpool2d_backward", "dP", dP, (m, C, Ho, Wo), "dP must be (m, C, Ho, Wo)")
    dA = np.zeros_like(A)
    for n in range(m):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    u, v = _first_max(A[n, c, s * i : s * i + k, s * j : s * j + k])
                    dA[n, c, s * i + u, s * j + v] += dP[n, c, i, j]
    return dA
