"""The sweep stage as a user runs it: the wall time of one Snakemake command in a fresh
clone, with the job-seconds per rule and the provenance that make it a claim.

    git clone REPO RUN && cd RUN
    snakemake --cores 1 results/sweep_results.json [--configfile configs/float32.yaml]
    python bench/bench_sweep_stage.py RUN --into docs/runs/sweep-stage/NAME \
        [--quote-in README.md docs/performance.md]

The command, its wall time and its jobs come from RUN's Snakemake log (RUN must hold
exactly one finished invocation); the job-seconds from its benchmark files; the
precision from config.yaml and the command's `--configfile` overlays, resolved on this
machine as the workflow resolves it. The folder --into gets `timing.json` and the run's
`sweep_results.json` (to compare with other runs of the same commit) and its sweep
table (`sweep.csv`, `.md`, `.tex`). Each --quote-in document's block
`<!-- summary of docs/runs/sweep-stage -->` gets the table of every timing in the folder.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
from pathlib import Path

import pandas as pd
import yaml

from unlearnflow.hardware import resolve_precision
from unlearnflow.jsonl import write_json
from unlearnflow.provenance import (
    cores,
    cpu_model,
    git_state,
    job_seconds,
    package_versions,
    rule_seconds,
)
from unlearnflow.replicates import across_seeds
from unlearnflow.snapshot import invocations, replace_block
from unlearnflow.tables import sweep_table, write_table

SWEEP_RESULTS = "results/sweep_results.json"
# The rules whose job-seconds the timings table shows, and their column titles.
SHOWN_RULES = {
    "finetune": "fine-tuning (s)",
    "retain_only": "gold model (s)",
    "unlearn": "unlearning (s)",
    "evaluate": "evaluations (s)",
}


def overlays(command: str) -> list[str]:
    """The files a Snakemake command line names after `--configfile`."""
    files, taking = [], False
    for word in shlex.split(command):
        if word == "--configfile":
            taking = True
        elif word.startswith("-"):
            taking = False
        elif taking:
            files.append(word)
    return files


def config_value(run: Path, command: str, section: str, key: str):
    """`section.key` as the command's config has it: the last file that sets it."""
    value = None
    for path in ["config.yaml", *overlays(command)]:
        config = yaml.safe_load((run / path).read_text()) or {}
        value = config.get(section, {}).get(key, value)
    return value


def sweep_stage(run: Path) -> dict:
    """The timing and provenance of the one finished Snakemake invocation in `run`."""
    finished = invocations(run)
    if len(finished) != 1:
        raise ValueError(
            f"{run}/.snakemake/log holds {len(finished)} finished invocations "
            f"({[found['command'] for found in finished]}): time one command in a fresh clone"
        )
    (invocation,) = finished
    seconds = rule_seconds(run)
    setting = config_value(run, invocation["command"], "model", "precision")
    return {
        **invocation,
        "minutes": round(invocation["seconds"] / 60, 1),
        **git_state(run),
        "precision_setting": setting,
        "precision": resolve_precision(setting),
        "confidence": config_value(run, invocation["command"], "intervals", "confidence"),
        "cpu": cpu_model(),
        "cores": cores(),
        "packages": package_versions(),
        "job_seconds_total": round(sum(sum(values) for values in seconds.values()), 1),
        "job_seconds": job_seconds(run),
    }


def timings_table(folder: Path) -> str:
    """Every timing under `folder` as a markdown table, slowest first."""
    timings = [json.loads(path.read_text()) for path in sorted(folder.glob("*/timing.json"))]
    rows = [
        {
            "command": f"`{timing['command']}`",
            "precision": timing["precision"],
            "wall time (min)": f"{timing['minutes']:.1f}",
            "jobs": timing["jobs"],
            **{
                title: f"{timing['job_seconds'].get(rule, {}).get('seconds', 0):,.0f}"
                for rule, title in SHOWN_RULES.items()
            },
            "all jobs (s)": f"{timing['job_seconds_total']:,.0f}",
            "machine": f"{timing['cpu']} ({timing['cores']} cores)",
            "commit": str(timing["commit"])[:7],
        }
        for timing in sorted(timings, key=lambda timing: -timing["seconds"])
    ]
    return pd.DataFrame(rows).to_markdown(index=False, disable_numparse=True) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="the fresh clone the command ran in")
    parser.add_argument("--into", type=Path, required=True, help="the folder to write")
    parser.add_argument(
        "--quote-in", type=Path, nargs="*", default=[], help="documents to quote the timings in"
    )
    arguments = parser.parse_args()
    timing = sweep_stage(arguments.run)
    arguments.into.mkdir(parents=True, exist_ok=True)
    write_json(arguments.into / "timing.json", timing)
    shutil.copyfile(arguments.run / SWEEP_RESULTS, arguments.into / "sweep_results.json")
    rows = json.loads((arguments.into / "sweep_results.json").read_text())
    write_table(
        sweep_table(across_seeds(rows, timing["confidence"])),
        arguments.into / "sweep",
        f"The sweep of `{timing['command']}` at commit {timing['commit'][:7]}, "
        f"{timing['precision']}, {timing['cpu']}.",
    )
    for document in arguments.quote_in:
        replace_block(
            document, arguments.into.parent.as_posix(), timings_table(arguments.into.parent)
        )


if __name__ == "__main__":
    main()
