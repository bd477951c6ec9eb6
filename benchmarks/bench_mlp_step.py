"""One forward+backward step of a 784-256-10 ReLU/softmax network on a batch of 256, float64.

dlmath's core functions (examples as columns) side by side with a bare-numpy step that does only the
BLAS work the step needs, and with PyTorch's CPU step on the same shapes when torch is importable
(it is not a dependency of the book: run this script with an interpreter that has torch to see that
column).  Each time is the best of REPEAT runs; the machine is shared, so best-of is the fair number.
Run: .venv/bin/python benchmarks/bench_mlp_step.py
"""

import time

import numpy as np

from dlmath import linear_backward, linear_forward, relu_backward, relu_forward, softmax_cross_entropy
from dlmath.errors import as_array

M, D, H, K = 256, 784, 256, 10
REPEAT = 40
BLOCKS = 4
TARGET = 1.5  # dlmath's step may take at most 1.5x PyTorch's

rng = np.random.default_rng(0)
X = rng.standard_normal((D, M))  # examples as columns
y = rng.integers(0, K, M)
W1, b1 = rng.standard_normal((H, D)) * np.sqrt(2 / D), np.zeros((H, 1))
W2, b2 = rng.standard_normal((K, H)) * np.sqrt(2 / H), np.zeros((K, 1))


def best(fn, repeat=REPEAT):
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def race(fns, blocks=BLOCKS, repeat=REPEAT // BLOCKS):
    """Best time of each function over ``blocks`` turns of ``repeat`` back-to-back runs each.

    The functions take turns block by block, so load from other processes on the shared machine hits
    all of them alike; runs are not interleaved one by one, because OpenMP (PyTorch) and OpenBLAS
    (numpy) threads keep spinning for a while after their work and would slow the next library down.
    """
    for fn in fns:
        fn()
    times = np.full((len(fns), blocks * repeat), np.inf)
    for blk in range(blocks):
        for i, fn in enumerate(fns):
            for r in range(repeat):
                t0 = time.perf_counter()
                fn()
                times[i, blk * repeat + r] = time.perf_counter() - t0
    return times.min(axis=1), np.median(times, axis=1)


def dlmath_pass(need_dx=False):
    """One step with dlmath's core functions, returning every intermediate.  X is data, so by default
    the first layer's backward skips dX = W1.T @ dZ1 (784x256x256), as PyTorch does for an input that
    does not require grad."""
    Z1, c1 = linear_forward(X, W1, b1)
    A1, a1 = relu_forward(Z1)
    Z2, c2 = linear_forward(A1, W2, b2)
    loss, dZ2 = softmax_cross_entropy(Z2, y)
    dA1, dW2, db2 = linear_backward(dZ2, c2)
    dZ1 = relu_backward(dA1, a1)
    _, dW1, db1 = linear_backward(dZ1, c1, need_dA_prev=need_dx)
    return locals()


def dlmath_step(need_dx=False):
    v = dlmath_pass(need_dx)
    return v["loss"], v["dW1"], v["db1"], v["dW2"], v["db2"]


def dlmath_step_with_dx():
    return dlmath_step(need_dx=True)


def numpy_step():
    """The same step with only the needed work: no validation, no one-hot, no gradient w.r.t. X."""
    Z1 = W1 @ X + b1
    A1 = np.maximum(Z1, 0.0)
    Z2 = W2 @ A1 + b2
    Z2 = Z2 - Z2.max(axis=0)
    P = np.exp(Z2)
    P /= P.sum(axis=0)
    loss = -np.log(P[y, np.arange(M)]).mean()
    P[y, np.arange(M)] -= 1.0
    dZ2 = P / M
    dW2, db2 = dZ2 @ A1.T, dZ2.sum(axis=1, keepdims=True)
    dZ1 = (W2.T @ dZ2) * (Z1 > 0)
    return loss, dZ1 @ X.T, dZ1.sum(axis=1, keepdims=True), dW2, db2


got, ref = dlmath_step(), numpy_step()
assert all(np.allclose(a, b, rtol=1e-10, atol=1e-12) for a, b in zip(got, ref, strict=True)), "steps disagree"

assert all(np.allclose(a, b, rtol=1e-12, atol=1e-14) for a, b in zip(got, dlmath_step_with_dx(), strict=True))
fns = [dlmath_step, numpy_step, dlmath_step_with_dx]
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    Xt = torch.from_numpy(X.T.copy())  # PyTorch's layout: examples as rows
    yt = torch.from_numpy(y)
    params = [torch.from_numpy(a.copy()).requires_grad_() for a in (W1, b1[:, 0], W2, b2[:, 0])]

    def torch_step():
        for p in params:
            p.grad = None
        Z1 = torch.nn.functional.linear(Xt, params[0], params[1])
        Z2 = torch.nn.functional.linear(torch.relu(Z1), params[2], params[3])
        loss = torch.nn.functional.cross_entropy(Z2, yt)
        loss.backward()
        return loss

    loss_t = torch_step()
    assert abs(loss_t.item() - got[0]) < 1e-10 and np.allclose(params[0].grad.numpy(), got[1], rtol=1e-8, atol=1e-12)
    fns.append(torch_step)

t_best, med = race(fns)
t_dl, t_np, t_dx = t_best[:3]
print(f"784-256-10 ReLU/softmax, batch {M}, float64, best of {REPEAT} runs in {BLOCKS} alternating blocks")
print(f"  dlmath core step      {1e3 * t_dl:7.2f} ms")
print(f"  bare numpy step       {1e3 * t_np:7.2f} ms   (dlmath / numpy = {t_dl / t_np:.2f})")
print(f"  dlmath with dX        {1e3 * t_dx:7.2f} ms   (also the unused gradient w.r.t. the data)")
if torch is None:
    print("  torch not importable: PyTorch column skipped")
else:
    t_pt = t_best[3]
    print(f"  PyTorch {torch.__version__} CPU step  {1e3 * t_pt:7.2f} ms   ({torch.get_num_threads()} threads)")
    print(f"  ratio dlmath / PyTorch = {t_dl / t_pt:.2f} (medians {med[0] / med[3]:.2f}; target <= {TARGET})")
    print(f"  with dX / PyTorch = {t_dx / t_pt:.2f}; bare numpy / PyTorch = {t_np / t_pt:.2f}")

# Where dlmath's extra time goes: each core call against the bare numpy it must at least do.
v = dlmath_pass()
Z1, c1, A1, a1, Z2, c2, dZ2, dA1, dZ1 = (v[k] for k in ("Z1", "c1", "A1", "a1", "Z2", "c2", "dZ2", "dA1", "dZ1"))
cols = np.arange(M)


def bare_sce():
    S = Z2 - Z2.max(axis=0)
    P = np.exp(S)
    P /= P.sum(axis=0)
    P[y, cols] -= 1.0
    return P / M


pairs = [
    ("linear_forward 784->256", lambda: linear_forward(X, W1, b1), lambda: W1 @ X + b1),
    ("relu_forward", lambda: relu_forward(Z1), lambda: np.maximum(Z1, 0.0)),
    ("linear_forward 256->10", lambda: linear_forward(A1, W2, b2), lambda: W2 @ A1 + b2),
    ("softmax_cross_entropy", lambda: softmax_cross_entropy(Z2, y), bare_sce),
    ("linear_backward 10<-256", lambda: linear_backward(dZ2, c2), lambda: (W2.T @ dZ2, dZ2 @ A1.T, dZ2.sum(axis=1))),
    ("relu_backward", lambda: relu_backward(dA1, a1), lambda: dA1 * (Z1 > 0)),
    ("linear_backward 256<-784 (no dX)", lambda: linear_backward(dZ1, c1, need_dA_prev=False),
     lambda: (dZ1 @ X.T, dZ1.sum(axis=1))),
]
print(f"  {'call':<42} {'dlmath [ms]':>11} {'bare [ms]':>10} {'extra [ms]':>10}")
for name, f_dl, f_bare in pairs:
    (t_a, t_b), _ = race([f_dl, f_bare], blocks=4, repeat=10)
    print(f"  {name:<42} {1e3 * t_a:>11.3f} {1e3 * t_b:>10.3f} {1e3 * (t_a - t_b):>10.3f}")
print(f"  the skipped dX = W1.T @ dZ1 alone: {1e3 * best(lambda: W1.T @ dZ1):.3f} ms; "
      f"as_array's finiteness check of X: {1e3 * best(lambda: as_array('f', 'X', X, 2)):.3f} ms")
