"""Job seconds per rule of a finished run, from Snakemake's benchmark files, and what the
robustness analyses (quantized evaluation, representation drift) cost against the
evaluation of the models they cover.

    python bench/bench_dag.py [RUN_DIR]     # after `snakemake` in RUN_DIR (default: .)
"""

from __future__ import annotations

import sys
from pathlib import Path

from unlearnflow.provenance import rule_seconds

ANALYSES = ("quantize_evaluate", "reference_states", "representation_drift")


def main() -> None:
    run = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    seconds = rule_seconds(run)
    print(f"{'rule':24s} {'jobs':>5s} {'job-seconds':>12s} {'per job':>9s}")
    for rule, values in sorted(seconds.items(), key=lambda item: -sum(item[1])):
        print(f"{rule:24s} {len(values):5d} {sum(values):12.1f} {sum(values) / len(values):9.1f}")
    evaluation = sum(seconds.get("evaluate", []))
    analyses = sum(sum(seconds.get(rule, [])) for rule in ANALYSES)
    if evaluation:
        print(
            f"analyses {analyses:.0f} job-s against evaluation {evaluation:.0f} job-s:"
            f" {analyses / evaluation:.2f}x"
        )


if __name__ == "__main__":
    main()
