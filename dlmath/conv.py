r"""Convolution and max pooling, vectorized (chapter "Backpropagation in a convolutional network").

Layout NCHW as in PyTorch: images ``X`` (m, C, H, W), filters ``W`` (F, C, kh, kw), biases ``b`` (F,).
"Convolution" means cross-correlation, as in seed 002 and in PyTorch: the filter is not flipped,

.. math:: z_{n,f,i,j} = \sum_{c,p,q} w_{f,c,p,q}\, x^{pad}_{n,c,\,si+p,\,sj+q} + b_f .

The convolution gathers every receptive field of an image into the columns of a matrix with
``sliding_window_view`` (im2col), so it is one matrix product per image; its backward pass is matrix
products for ``dW`` and ``db`` and, for ``dX``, one strided add per filter tap :math:`(p, q)` of
:math:`\sum_f w_{f,c,p,q}\,\delta_{n,f,i,j}` onto the pixels that tap read.  Max pooling compares the
window's taps as whole strided arrays.  ``dlmath.conv_loops`` holds the loop versions that read like the
chapter's index formulas; the tests hold the two equal.

Tie rule of max pooling: when several entries of a window share the maximum, the *whole* gradient
goes to the first of them in row-major order (top row first, left to right), as ``np.argmax`` does.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .errors import ShapeError, as_array, check_cache, check_int

__all__ = [
    "Conv2dCache",
    "MaxPool2dCache",
    "conv2d_backward",
    "conv2d_forward",
    "conv_output_size",
    "maxpool2d_backward",
    "maxpool2d_forward",
]


def conv_output_size(func: str, what: str, n: int, k: int, stride: int, pad: int) -> int:
    r"""Output length :math:`(n + 2p - k)/s + 1` along one axis, checked to be a whole positive number.

    Raises :class:`ShapeError` (naming ``func`` and the axis ``what``) before any reshape happens.
    """
    n = _check_int(func, f"input {what}", n, 1)
    k = _check_int(func, f"{what} of the window", k, 1)
    stride = _check_int(func, "stride", stride, 1)
    pad = _check_int(func, "pad", pad, 0)
    span = n + 2 * pad - k
    if span < 0:
        raise ShapeError(
            f"{func}: the {what} window ({k}) is larger than the padded input ({n} + 2*{pad} = {n + 2 * pad})"
        )
    if span % stride != 0:
        raise ShapeError(
            f"{func}: output {what} (n + 2*pad - k)/stride + 1 = ({n} + 2*{pad} - {k})/{stride} + 1 "
            f"= {span / stride + 1:g} is not a whole number; change the padding or the stride"
        )
    return span // stride + 1


_check_int = check_int  # one rule for integers in every module


def check_conv_args(func: str, X, W, b, stride, pad):
    """Validate the arguments of a convolution; return ``(X, W, b, stride, pad, Ho, Wo)`` (shared with the loops)."""
    X = as_array(func, "X", X, 4)
    W = as_array(func, "W", W, 4)
    b = as_array(func, "b", b, 1)
    stride = _check_int(func, "stride", stride, 1)
    pad = _check_int(func, "pad", pad, 0)
    if W.shape[1] != X.shape[1]:
        raise ShapeError(
            f"{func}: W has {W.shape[1]} input channels but X has {X.shape[1]} "
            f"(X {X.shape}, W {W.shape}); X must be (m, C, H, W) and W (F, C, kh, kw)"
        )
    if b.shape != (W.shape[0],):
        raise ShapeError(f"{func}: b must be (F,) = ({W.shape[0]},), one bias per filter (W {W.shape}, b {b.shape})")
    Ho = conv_output_size(func, "height", X.shape[2], W.shape[2], stride, pad)
    Wo = conv_output_size(func, "width", X.shape[3], W.shape[3], stride, pad)
    return X, W, b, stride, pad, Ho, Wo


def check_pool_args(func: str, A, size, stride):
    """Validate the arguments of a max pooling; return ``(A, size, stride, Ho, Wo)`` (shared with the loops)."""
    A = as_array(func, "A", A, 4)
    size = _check_int(func, "size", size, 1)
    stride = _check_int(func, "stride", stride, 1)
    Ho = conv_output_size(func, "height", A.shape[2], size, stride, 0)
    Wo = conv_output_size(func, "width", A.shape[3], size, stride, 0)
    return A, size, stride, Ho, Wo


def check_upstream(func: str, name: str, d, shape: tuple[int, ...], rule: str) -> np.ndarray:
    """The upstream gradient must have the forward output's shape."""
    d = as_array(func, name, d, 4)
    if d.shape != shape:
        raise ShapeError(f"{func}: {name} must have the shape of the forward output {shape} ({name} {d.shape}); {rule}")
    return d


class Conv2dCache(NamedTuple):
    """What ``conv2d_backward`` needs: the inputs, the hyper-parameters and the im2col matrix."""

    X: np.ndarray
    W: np.ndarray
    b: np.ndarray
    stride: int
    pad: int
    cols: np.ndarray  # (m, C*kh*kw, Ho*Wo): column i*Wo + j of image n is the receptive field of z[n, :, i, j]


def conv2d_forward(X, W, b, stride: int = 1, pad: int = 0) -> tuple[np.ndarray, Conv2dCache]:
    r"""Cross-correlation of a batch of images with a bank of filters, plus a bias per filter.

    .. math:: z_{n,f,i,j} = \sum_{c,p,q} w_{f,c,p,q}\, x^{pad}_{n,c,\,si+p,\,sj+q} + b_f

    Parameters
    ----------
    X : ndarray, shape (m, C, H, W)
    W : ndarray, shape (F, C, kh, kw)
    b : ndarray, shape (F,)
    stride : int >= 1
    pad : int >= 0, zeros added on every side of each image

    Returns
    -------
    Z : (m, F, Ho, Wo) with Ho = (H + 2 pad - kh)/stride + 1 (must be whole), likewise Wo;
    cache : Conv2dCache
    """
    X, W, b, s, p, Ho, Wo = check_conv_args("conv2d_forward", X, W, b, stride, pad)
    m, C = X.shape[:2]
    F, _, kh, kw = W.shape
    Xp = np.pad(X, ((0, 0), (0, 0), (p, p), (p, p))) if p else X
    win = sliding_window_view(Xp, (kh, kw), axis=(2, 3))[:, :, ::s, ::s]  # (m, C, Ho, Wo, kh, kw), a view
    # im2col: for each image, one column per output position (a copy of whole (Ho, Wo) planes)
    cols = win.transpose(0, 1, 4, 5, 2, 3).reshape(m, C * kh * kw, Ho * Wo)
    Z = np.matmul(W.reshape(F, -1), cols)  # (m, F, Ho*Wo): one matrix product per image
    Z += b[:, None]
    return Z.reshape(m, F, Ho, Wo), Conv2dCache(X, W, b, s, p, cols)


def conv2d_backward(dZ, cache: Conv2dCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Backward pass of :func:`conv2d_forward`.

    .. math:: \frac{\partial L}{\partial w_{f,c,p,q}} = \sum_{n,i,j} \delta_{n,f,i,j}\, x^{pad}_{n,c,\,si+p,\,sj+q},
              \quad \frac{\partial L}{\partial b_f} = \sum_{n,i,j} \delta_{n,f,i,j},
              \quad \frac{\partial L}{\partial x^{pad}_{n,c,\,si+p,\,sj+q}}
              \mathrel{+}= \sum_f \delta_{n,f,i,j}\, w_{f,c,p,q}

    where :math:`\delta = dZ`; the input gradient is then cropped back to the unpadded image.

    Parameters
    ----------
    dZ : ndarray, shape (m, F, Ho, Wo)
    cache : Conv2dCache from conv2d_forward

    Returns
    -------
    dX : (m, C, H, W); dW : (F, C, kh, kw); db : (F,)
    """
    X, W, _, s, p, cols = check_cache("conv2d_backward", cache, Conv2dCache, "conv2d_forward")
    m, C, H, Wd = X.shape
    F, _, kh, kw = W.shape
    Ho, Wo = (H + 2 * p - kh) // s + 1, (Wd + 2 * p - kw) // s + 1
    dZ = check_upstream("conv2d_backward", "dZ", dZ, (m, F, Ho, Wo), "dZ must be (m, F, Ho, Wo)")
    dZr = dZ.reshape(m, F, Ho * Wo)
    db = dZr.sum(axis=(0, 2))
    dW = np.matmul(dZr, cols.transpose(0, 2, 1)).sum(axis=0).reshape(W.shape)
    Wr = W.reshape(F, C, kh, kw)
    dXp = np.zeros((m, C, H + 2 * p, Wd + 2 * p))
    for u in range(kh):  # one strided add per filter tap (u, v): the pixels x[si+u, sj+v] that tap read
        for v in range(kw):
            dXp[:, :, u : u + s * Ho : s, v : v + s * Wo : s] += np.einsum("fc,nfij->ncij", Wr[:, :, u, v], dZ)
    dX = dXp[:, :, p : p + H, p : p + Wd] if p else dXp
    return np.ascontiguousarray(dX), dW, db


class MaxPool2dCache(NamedTuple):
    """What ``maxpool2d_backward`` needs: the input's shape, the window and where each maximum was."""

    shape: tuple[int, int, int, int]
    size: int
    stride: int
    argmax: np.ndarray  # (m, C, Ho, Wo): row-major position p*size + q of the first maximum in each window


def maxpool2d_forward(A, size: int = 2, stride: int = 2) -> tuple[np.ndarray, MaxPool2dCache]:
    r"""Max pooling over ``size`` x ``size`` windows moved by ``stride``.

    .. math:: a^P_{n,c,i,j} = \max_{0 \le p,q < size} a_{n,c,\,si+p,\,sj+q}

    Ties: the first maximum in row-major window order is the one remembered (and gets the gradient).

    Parameters
    ----------
    A : ndarray, shape (m, C, H, W)
    size : int >= 1, window side
    stride : int >= 1; (H - size)/stride + 1 and (W - size)/stride + 1 must be whole

    Returns
    -------
    P : (m, C, Ho, Wo); cache : MaxPool2dCache
    """
    A, k, s, Ho, Wo = check_pool_args("maxpool2d_forward", A, size, stride)
    P = A[:, :, : s * Ho : s, : s * Wo : s].copy()  # tap (0, 0) of every window
    idx = np.zeros(P.shape, dtype=np.uint8 if k * k <= 256 else np.intp)
    for t in range(1, k * k):  # taps in row-major order; a strict '>' keeps the first maximum (the tie rule)
        u, v = divmod(t, k)
        tap = A[:, :, u : u + s * Ho : s, v : v + s * Wo : s]
        idx = np.where(tap > P, idx.dtype.type(t), idx)
        np.maximum(P, tap, out=P)
    return P, MaxPool2dCache(A.shape, k, s, idx)


def maxpool2d_backward(dP, cache: MaxPool2dCache) -> np.ndarray:
    r"""Backward pass of :func:`maxpool2d_forward`: each window's gradient goes to its (first) maximum.

    .. math:: \frac{\partial L}{\partial a_{n,c,h,w}} = \sum_{i,j} \frac{\partial L}{\partial a^P_{n,c,i,j}}\,
              [\,(h, w) \text{ is the first maximum of window } (i, j)\,]

    Overlapping windows (stride < size) add their contributions.

    Parameters
    ----------
    dP : ndarray, shape (m, C, Ho, Wo)
    cache : MaxPool2dCache from maxpool2d_forward

    Returns
    -------
    dA : (m, C, H, W)
    """
    (m, C, H, W), k, s, idx = check_cache("maxpool2d_backward", cache, MaxPool2dCache, "maxpool2d_forward")
    dP = check_upstream("maxpool2d_backward", "dP", dP, idx.shape, "dP must be (m, C, Ho, Wo)")
    Ho, Wo = idx.shape[2:]
    dA = np.zeros((m, C, H, W))
    for t in range(k * k):  # tap by tap: a window's gradient lands where its remembered maximum sits
        u, v = divmod(t, k)
        target = dA[:, :, u : u + s * Ho : s, v : v + s * Wo : s]
        if s >= k:  # windows do not overlap: each entry of dA receives from at most one window
            np.multiply(dP, idx == t, out=target)
        else:
            target += dP * (idx == t)
    return dA
