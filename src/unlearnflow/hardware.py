"""The `auto` settings: `model.precision` (bf16 where the machine that builds the DAG
multiplies bf16 matrices natively, float32 elsewhere) and `quantization.schemes` (an
8-bit and a 4-bit scheme that are fast in that precision).

Read from /proc/cpuinfo without importing torch (the Snakefile calls it while the DAG
is built). A CPU with AVX512-BF16 or AMX runs bf16 matmuls ~4× faster than float32
(840 against 203 GFLOP/s on 2 cores of an AMD EPYC with AVX512-BF16); one without
them emulates bf16, dozens of times slower than float32 (1 against 66 GFLOP/s on 2
cores of an AVX2 CPU).
"""

from __future__ import annotations

from pathlib import Path

BF16_CPU_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The feature flags of the first processor listed; empty where there is no cpuinfo."""
    try:
        lines = cpuinfo.read_text().splitlines()
    except OSError:
        return set()
    flags = next((line for line in lines if line.split(":")[0].strip() == "flags"), "")
    return set(flags.partition(":")[2].split())


def resolve_precision(precision: str, cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """`precision` itself, or for `auto` the fast one on this machine's CPU."""
    if precision != "auto":
        return precision
    return "bfloat16" if cpu_flags(cpuinfo) & BF16_CPU_FLAGS else "float32"


# One evaluation of the fine-tuned SmolLM2, two jobs sharing 2 cores, in bf16: float
# 22.1 s, rtn-int8 20.0 s, rtn-int4 20.9 s (Intel Xeon); bnb-int8 39.7 s, bnb-nf4 26.8 s
# (AMD EPYC: LLM.int8() computes in float16, which the CPU emulates). In float32, one
# thread (EPYC): float 51.5 s, rtn 49.0-49.8 s, bnb-int8 38.2 s, bnb-nf4 31.6 s.
FAST_SCHEMES = {"bfloat16": ["rtn-int8", "rtn-int4"], "float32": ["bnb-int8", "bnb-nf4"]}


def resolve_schemes(schemes: str | list[str], precision: str) -> list[str]:
    """`schemes` themselves, or for `auto` the fast 8-bit and 4-bit pair in `precision`
    (resolved: `bfloat16` or `float32`)."""
    return FAST_SCHEMES[precision] if schemes == "auto" else list(schemes)
