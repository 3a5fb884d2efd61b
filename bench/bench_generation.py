"""Template backend speed: 1,000 people with all QA, wrong answers and probes (target <= 10 s).

.venv/bin/python bench/bench_generation.py [--people 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from unlearnflow.data.categories import CATEGORIES
from unlearnflow.data.generate import (
    generate_facts,
    generate_forget_probes,
    generate_profiles,
    generate_qa,
)


def generate(people: int, folder: Path) -> dict[str, float]:
    backend = {"name": "template", "seed": 0}
    path = {
        name: folder / f"{name}.jsonl"
        for name in ("profiles", "facts", "sf", "sr", "holdout", "wrong", "probes")
    }
    stages = {}
    start = time.perf_counter()
    generate_profiles(backend, people, people // 10, path["profiles"])
    stages["profiles"] = time.perf_counter() - start
    generate_facts(
        backend,
        list(CATEGORIES),
        "negative_incident",
        ["breakthrough_year_event"],
        path["profiles"],
        path["facts"],
    )
    stages["facts"] = time.perf_counter() - start - sum(stages.values())
    generate_qa(
        backend,
        3,
        5,
        path["profiles"],
        path["facts"],
        path["sf"],
        path["sr"],
        path["holdout"],
        path["wrong"],
    )
    stages["qa"] = time.perf_counter() - start - sum(stages.values())
    generate_forget_probes(backend, 4, path["profiles"], path["facts"], path["sf"], path["probes"])
    stages["probes"] = time.perf_counter() - start - sum(stages.values())
    stages["total"] = time.perf_counter() - start
    return stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as folder:
            runs.append(generate(args.people, Path(folder)))
    qa = (args.people + args.people // 10) * len(CATEGORIES)
    print(
        f"template backend: {args.people} people (+{args.people // 10} holdout),"
        f" {len(CATEGORIES)} facts each, {qa} QA with 5 wrong answers"
    )
    for stage in runs[0]:
        times = [run[stage] for run in runs]
        print(
            f"  {stage:9s} median {statistics.median(times):6.2f} s"
            f"  (min {min(times):.2f}, max {max(times):.2f})"
        )


if __name__ == "__main__":
    main()
