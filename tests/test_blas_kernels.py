"""tests/blas_kernels.py names only OpenBLAS kernels the CPU can execute, two where it can."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from blas_kernels import kernels  # noqa: E402

AVX512 = {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx2", "fma", "avx"}


@pytest.mark.parametrize(("machine", "flags", "expected"), [
    ("x86_64", AVX512, ["Haswell", "SkylakeX"]),
    ("x86_64", {"avx2", "fma", "avx"}, ["Haswell", "Sandybridge"]),
    ("x86_64", {"avx"}, ["Sandybridge", "Prescott"]),
    ("x86_64", set(), ["Prescott"]),
    ("aarch64", AVX512, ["default"]),
    ("arm64", set(), ["default"]),
])
def test_kernels_follow_the_cpu_flags(machine, flags, expected):
    assert kernels(machine, flags) == expected


def test_avx512f_alone_is_not_enough_for_skylakex():
    assert "SkylakeX" not in kernels("x86_64", {"avx512f", "avx2", "fma", "avx"})
