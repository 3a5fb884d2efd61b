"""No-op dry run on up-to-date outputs, beside Snakemake's own floor (target: <= 2 s).

Times `snakemake -n` on the tiny test config once everything is built, against a
trivial two-rule workflow and `snakemake --version` in the same run (this machine
is noisy; the difference to the floor is the figure that matters).

    .venv/bin/python bench/bench_dry_run.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
TRIVIAL = """
rule all:
    input: "b.txt"

rule b:
    input: "a.txt"
    output: "b.txt"
    shell: "cp {input} {output}"
"""


def timed(command: list[str], cwd: Path, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        trivial, ours = scratch / "trivial", scratch / "ours"
        trivial.mkdir()
        ours.mkdir()
        (trivial / "Snakefile").write_text(TRIVIAL)
        (trivial / "a.txt").write_text("a\n")
        subprocess.run([SNAKEMAKE, "--cores", "1"], cwd=trivial, check=True, capture_output=True)
        workflow = [
            SNAKEMAKE,
            "--snakefile",
            str(ROOT / "Snakefile"),
            "--configfile",
            str(ROOT / "tests" / "configs" / "tiny.yaml"),
            "--cores",
            "1",
            "data/validation_report.json",
        ]
        subprocess.run(workflow, cwd=ours, check=True, capture_output=True)
        results = {
            "snakemake --version": timed([SNAKEMAKE, "--version"], scratch, args.repeats),
            "trivial 2-rule workflow, -n": timed(
                [SNAKEMAKE, "-n", "--cores", "1"], trivial, args.repeats
            ),
            "unlearnflow tiny config, -n": timed([*workflow, "-n"], ours, args.repeats),
        }
    floor = statistics.median(results["trivial 2-rule workflow, -n"])
    for name, times in results.items():
        median = statistics.median(times)
        print(
            f"{name:30s} median {median:5.2f} s  (min {min(times):.2f})"
            f"  {median - floor:+.2f} s vs trivial"
        )


if __name__ == "__main__":
    main()
