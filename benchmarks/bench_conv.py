"""Benchmark: dlmath's vectorized convolution against its loop version, and against PyTorch.

1. conv forward + backward, vectorized (``dlmath.conv``) vs loops (``dlmath.conv_loops``),
   on 64 images of 28x28 (one channel) with 8 filters of 3x3: prints the speedup.
2. conv -> ReLU -> 2x2 max-pool, forward + backward, ``dlmath`` vs PyTorch's CPU float64 step on the
   same shapes (only when ``import torch`` works; skipped otherwise).  Target: dlmath no slower than
   3x PyTorch, aiming for 2x.

Both libraries run on one thread (OpenBLAS and torch), so the comparison measures the algorithms, not
how many cores happen to be free on a shared machine.  Times are the best of several repeats.

Run: ``.venv/bin/python benchmarks/bench_conv.py`` (or with a Python that has torch installed).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported
os.environ.setdefault("OMP_NUM_THREADS", "1")

import time  # noqa: E402

import numpy as np  # noqa: E402

from dlmath import conv, conv_loops  # noqa: E402
from dlmath.activations import relu_backward, relu_forward  # noqa: E402
from dlmath.gradcheck import relative_error  # noqa: E402

M, C, H, W, F, K = 64, 1, 28, 28, 8, 3


def best_time(fn, repeats: int, inner: int = 1) -> float:
    """Best wall time of one call, in seconds, over ``repeats`` batches of ``inner`` calls."""
    fn()  # warm up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        best = min(best, (time.perf_counter() - t0) / inner)
    return best


def conv_step(mod, X, Wt, b, G):
    Z, cache = mod.conv2d_forward(X, Wt, b)
    return mod.conv2d_backward(G, cache)


def dlmath_block(X, Wt, b, G):
    """conv -> ReLU -> 2x2 max-pool, forward and backward, from dlmath's pieces."""
    Z, conv_cache = conv.conv2d_forward(X, Wt, b)
    A, relu_cache = relu_forward(Z)
    P, pool_cache = conv.maxpool2d_forward(A, 2, 2)
    dA = conv.maxpool2d_backward(G, pool_cache)
    dZ = relu_backward(dA, relu_cache)
    return (P, *conv.conv2d_backward(dZ, conv_cache))


def main() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(M, C, H, W))
    Wt = rng.normal(size=(F, C, K, K)) / K
    b = rng.normal(size=F)
    G = rng.normal(size=(M, F, H - K + 1, W - K + 1))

    print(f"conv forward+backward, X {X.shape}, W {Wt.shape}, float64, one thread")
    fast = conv_step(conv, X, Wt, b, G)
    t0 = time.perf_counter()
    slow = conv_step(conv_loops, X, Wt, b, G)
    t_loop = time.perf_counter() - t0
    err = max(relative_error(a, c) for a, c in zip(fast, slow, strict=True))
    t_vec = best_time(lambda: conv_step(conv, X, Wt, b, G), repeats=7, inner=5)
    print(f"  loops      {t_loop * 1e3:9.1f} ms")
    print(f"  vectorized {t_vec * 1e3:9.2f} ms   (largest relative difference {err:.1e})")
    print(f"  speedup    {t_loop / t_vec:9.0f}x")

    try:
        import torch
    except ImportError:
        print("conv -> ReLU -> max-pool vs PyTorch: skipped (torch is not importable here)")
        return
    torch.set_num_threads(1)
    Gp = rng.normal(size=(M, F, (H - K + 1) // 2, (W - K + 1) // 2))
    Xt, Wtt, bt, Gt = (torch.tensor(a, dtype=torch.float64) for a in (X, Wt, b, Gp))

    def torch_block():
        x, w, bb = (t.clone().requires_grad_(True) for t in (Xt, Wtt, bt))
        p = torch.nn.functional.max_pool2d(torch.relu(torch.nn.functional.conv2d(x, w, bb)), 2, 2)
        p.backward(Gt)
        return p.detach(), x.grad, w.grad, bb.grad

    ours = dlmath_block(X, Wt, b, Gp)
    theirs = [t.numpy() for t in torch_block()]
    err = max(relative_error(a, c) for a, c in zip(ours, theirs, strict=True))
    # interleaved repeats, so both sides see the same load on a shared machine
    t_ours = t_torch = float("inf")
    for _ in range(15):
        t_ours = min(t_ours, best_time(lambda: dlmath_block(X, Wt, b, Gp), repeats=1, inner=5))
        t_torch = min(t_torch, best_time(torch_block, repeats=1, inner=5))
    print(f"conv -> ReLU -> 2x2 max-pool forward+backward vs PyTorch {torch.__version__} (CPU, float64, one thread)")
    print(f"  dlmath     {t_ours * 1e3:9.2f} ms   (largest relative difference from torch {err:.1e})")
    print(f"  torch      {t_torch * 1e3:9.2f} ms")
    print(f"  dlmath / torch = {t_ours / t_torch:.2f} (target <= 3, aim <= 2)")


if __name__ == "__main__":
    main()
