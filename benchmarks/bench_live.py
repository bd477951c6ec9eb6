"""Time the live explorers of the chapters: one control moved -> the new figure's PNG in the Image widget.

The explorers are built by the chapters' own cells (the cell that creates the ``Explorer`` in
book/testnet.ipynb and book/batch.ipynb, run after the chapter's first, import cell), so this measures
what a reader moves.  Each control is moved to ``MOVES`` seeded random values over its whole live range
(a checkbox is toggled), after one warm-up move; a move is timed from setting the control's value to the
widget's image holding the new picture (``compute`` + redraw + PNG), which is all a kernel does for it.
Prints the median and the worst time per control and over all moves, against the budget of the issue
(<= 150 ms median, <= 300 ms worst) and the machine's load average (other processes slow every move);
``--strict`` exits 1 over budget.  ``--moves N`` changes the count.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ("testnet", "batch")
MEDIAN_BUDGET_S, WORST_BUDGET_S = 0.150, 0.300
MOVES = 15
SLOW_S = 0.200  # single moves slower than this are listed


def chapter_explorers(name: str) -> list:
    """The Explorer objects a chapter's explorer cells build (its first code cell runs first, for imports)."""
    from dlmath.explore import Explorer

    cells = [c for c in json.loads((ROOT / "book" / f"{name}.ipynb").read_text())["cells"] if c["cell_type"] == "code"]
    ns: dict = {"__name__": f"bench_{name}"}
    exec(_code(cells[0]), ns)  # noqa: S102 (the chapter's own import cell)
    found = []
    for cell in cells[1:]:
        source = _code(cell)
        if "Explorer(" not in source:
            continue
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, name, "exec"), ns)  # noqa: S102
        value = eval(compile(ast.Expression(last.value), name, "eval"), ns) if last else None  # noqa: S307
        for v in [value, *ns.values()]:
            if isinstance(v, Explorer) and all(v is not f for f in found):
                found.append(v)
    return found


def _code(cell) -> str:
    return "\n".join(line for line in "".join(cell["source"]).splitlines() if not line.lstrip().startswith("%"))


def moves(control, rng, n: int) -> list:
    if type(control).__name__ == "Checkbox":
        return [not control.value if i % 2 == 0 else control.value for i in range(n)]
    if hasattr(control, "options"):
        return [control.options[i][1] for i in rng.integers(0, len(control.options), n)]
    values = rng.uniform(control.min, control.max, n)
    if hasattr(control, "base"):  # a log slider: min and max are exponents
        values = control.base**values
    return [int(round(v)) if isinstance(control.value, int) else float(v) for v in values]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--moves", type=int, default=MOVES)
    parser.add_argument("--strict", action="store_true", help="exit 1 when over budget")
    args = parser.parse_args()
    n = args.moves
    rng = np.random.default_rng(18)
    every = []
    for name in CHAPTERS:
        for explorer in chapter_explorers(name):
            box = explorer.widget()
            image = box.children[-2]
            controls = [c for c in box.children[1:-2]]
            print(f"== {name}: {explorer.title} ({explorer.uid()})")
            for control in controls:
                times = []
                for k, value in enumerate(moves(control, rng, n + 1)):
                    before = image.value
                    t0 = time.perf_counter()
                    control.value = value
                    dt = time.perf_counter() - t0
                    if image.value is before and control.value == value and box.children[-1].value:
                        print(f"   {control.description} = {value!r}: {box.children[-1].value}")
                    if k:  # the first move warms caches (fonts, tick formatters)
                        times.append(dt)
                    if dt > SLOW_S:
                        print(f"   slow move: {control.description} = {value!r}: {1e3 * dt:.0f} ms")
                every += times
                lo, hi = (f"{control.min:g}..{control.max:g}" if hasattr(control, "max") else "on/off"), ""
                print(f"{control.description:>40s} [{lo}{hi}]: median {1e3 * np.median(times):6.1f} ms, "
                      f"worst {1e3 * max(times):6.1f} ms ({len(times)} moves)")
    med, worst = float(np.median(every)), max(every)
    ok = med <= MEDIAN_BUDGET_S and worst <= WORST_BUDGET_S
    print(f"all {len(every)} moves: median {1e3 * med:.1f} ms (budget {1e3 * MEDIAN_BUDGET_S:.0f}), "
          f"worst {1e3 * worst:.1f} ms (budget {1e3 * WORST_BUDGET_S:.0f}); within budget: {ok}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
