"""Print the OpenBLAS kernels that `make nbval` runs the notebooks under, one per word.

numpy's OpenBLAS picks a kernel for the CPU (OPENBLAS_CORETYPE overrides it); kernels differ in the
last bits of their results, so stored outputs that pass under two of them do not depend on those bits.
Only kernels this CPU can execute are named (forcing an AVX-512 kernel on a CPU without it would crash).
On a CPU that is not x86-64 the variable means something else, and one run with numpy's own choice
("default") is made.
"""

from __future__ import annotations

import platform
from pathlib import Path


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def kernels(machine: str, flags: set[str]) -> list[str]:
    if machine.lower() not in ("x86_64", "amd64"):
        return ["default"]
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= flags:
        return ["Haswell", "SkylakeX"]
    if {"avx2", "fma"} <= flags:
        return ["Haswell", "Sandybridge"]
    if "avx" in flags:
        return ["Sandybridge", "Prescott"]
    return ["Prescott"]


if __name__ == "__main__":
    print(" ".join(kernels(platform.machine(), cpu_flags())))
