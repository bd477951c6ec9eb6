"""Chapter "Backprop on a batch": per-example loop vs vectorized gradients, and the explorer's frame times.

Prints, for growing n, the best-of-5 time of ``gradients_loop`` (seed 001's single-example formulas in a
Python loop) and ``loss_and_gradients`` (the vectorized formulas) on a 3-4-1 network, with their ratio;
then times ``explore_alpha`` (the explorer's compute) at every grid point of the chapter's explorer and
reports the slowest, and the slowest whole frame (compute, drawing and the PNG of the HTML version).
Run: .venv/bin/python benchmarks/bench_vectorize.py
"""

import time

import matplotlib

matplotlib.use("Agg")

from dlmath.batch_explorer import HIDDEN_GRID, LR_GRID, explore_alpha, plot_learning_rate, time_gradients  # noqa: E402
from dlmath.explore import Explorer, Param  # noqa: E402

FRAME_BUDGET_MS = 100.0

print(f"{'n':>6} {'loop [ms]':>10} {'vectorized [ms]':>16} {'speedup':>8}")
for n in (10, 30, 100, 300, 1000, 3000, 10000):
    loop, vec = time_gradients(n, repeat=5 if n <= 3000 else 2)
    print(f"{n:>6} {1e3 * loop:>10.3f} {1e3 * vec:>16.3f} {loop / vec:>7.0f}x")
loop, vec = time_gradients(1000, repeat=7)
print(f"speedup at n = 1000: {loop / vec:.0f}x (loop {1e3 * loop:.2f} ms, vectorized {1e3 * vec:.3f} ms)")

times = {}
for h in HIDDEN_GRID:
    for alpha in LR_GRID:
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            explore_alpha(alpha, h)
            best = min(best, time.perf_counter() - t0)
        times[(alpha, h)] = 1e3 * best
(alpha, h), slow = max(times.items(), key=lambda kv: kv[1])
print(f"explorer compute: {len(times)} frames, median {sorted(times.values())[len(times) // 2]:.1f} ms, "
      f"slowest {slow:.1f} ms at alpha = {alpha:.3g}, h = {h} (budget {FRAME_BUDGET_MS:.0f} ms)")

explorer = Explorer(explore_alpha, plot_learning_rate, [Param("alpha", LR_GRID)],
                    live_params=[Param("hidden", HIDDEN_GRID, default=1)], figsize=(8, 3.2), dpi=80)
whole = {}
for alpha in LR_GRID:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        explorer.render({"alpha": alpha, "hidden": 4})
        best = min(best, time.perf_counter() - t0)
    whole[alpha] = 1e3 * best
alpha, slow = max(whole.items(), key=lambda kv: kv[1])
print(f"whole frame (compute + drawing + PNG): slowest {slow:.0f} ms at alpha = {alpha:.3g}, "
      f"median {sorted(whole.values())[len(whole) // 2]:.0f} ms")
