"""Time the input-scaling explorer's compute function at every grid point of the chapter's sliders.

The explorer in book/testnet.ipynb calls ``dlmath.scaling_explorer.scaling_frame`` once per frame (and
once per slider move in a live kernel), so every grid point must return in <= 100 ms.  The first call
trains the scale-1 reference point and its Hessian once per process (the cached setting); it is timed
separately as the warm-up.  Prints each point's best-of-3 time, the slowest point and its ratio to the
budget.  Run: ``.venv/bin/python benchmarks/bench_scaling_explorer.py``.
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from dlmath.scaling_explorer import scaling_frame

BUDGET_S = 0.100
# The chapter's grid (book/testnet.ipynb, the explorer cell): keep the two in step.
SCALES = np.arange(0, 4)
RATES = np.arange(-7.0, 0.01, 1.0)
REPEATS = 3


def main() -> None:
    t0 = time.perf_counter()
    scaling_frame(0, -1.0)  # warm-up: trains the reference point and its Hessian once
    print(f"warm-up (once per process): {(time.perf_counter() - t0) * 1e3:.1f} ms")
    times = {}
    for s, lr in itertools.product(SCALES, RATES):
        best = min(_time(s, lr) for _ in range(REPEATS))
        times[(int(s), float(lr))] = best
        print(f"log10_scale={s:d} log10_lr={lr:+.1f}: {best * 1e3:6.1f} ms")
    (s, lr), worst = max(times.items(), key=lambda kv: kv[1])
    print(f"grid points: {len(times)}; median {np.median(list(times.values())) * 1e3:.1f} ms")
    print(f"slowest: log10_scale={s} log10_lr={lr:+.1f}: {worst * 1e3:.1f} ms")
    print(f"slowest / budget (100 ms) = {worst / BUDGET_S:.2f}")


def _time(s, lr) -> float:
    t0 = time.perf_counter()
    scaling_frame(s, lr)
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
