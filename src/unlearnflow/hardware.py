"""`model.precision: auto`: bf16 where the machine that builds the DAG multiplies bf16
matrices natively, float32 elsewhere.

Read from /proc/cpuinfo without importing torch (the Snakefile calls it while the DAG
is built). Without AVX512-BF16 or AMX, bf16 is emulated and far slower than float32
(docs/design.md).
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
