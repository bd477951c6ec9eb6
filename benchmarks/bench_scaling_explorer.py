"""Time the input-scaling explorer's compute function at every grid point of the chapter's sliders.

The explorer in book/testnet.ipynb calls ``scaling_explorer`` once per frame (and once per slider move
in a live kernel), so every grid point must return in <= 100 ms.  Prints each point's best-of-3 time,
the slowest point, and its ratio to the 100 ms budget.
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from dlmath.scaling import scaling_explorer

BUDGET_S = 0.100
SCALES = np.arange(0, 4)
RATES = np.linspace(-4, 0, 9)
REPEATS = 3


def main() -> None:
    scaling_explorer(0, -1.0)  # warm-up (imports, caches)
    times = {}
    for s, lr, std in itertools.product(SCALES, RATES, (False, True)):
        best = min(_time(s, lr, std) for _ in range(REPEATS))
        times[(int(s), float(lr), std)] = best
        print(f"log10_scale={s:d} log10_lr={lr:+.1f} standardize={std!s:5}: {best * 1e3:6.1f} ms")
    (s, lr, std), worst = max(times.items(), key=lambda kv: kv[1])
    print(f"grid points: {len(times)}; median {np.median(list(times.values())) * 1e3:.1f} ms")
    print(f"slowest: log10_scale={s} log10_lr={lr:+.1f} standardize={std}: {worst * 1e3:.1f} ms")
    print(f"slowest / budget (100 ms) = {worst / BUDGET_S:.2f}")


def _time(s, lr, std) -> float:
    t0 = time.perf_counter()
    scaling_explorer(s, lr, std)
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
