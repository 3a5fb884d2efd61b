"""Where a run's numbers come from: the code, the config, the precision the models ran
in, the machine, the package versions, and the job-seconds each rule took (from
Snakemake's benchmark files)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import platform
import shutil
import subprocess
from collections import defaultdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .jsonl import write_json

PACKAGES = (
    "unlearnflow",
    "torch",
    "transformers",
    "peft",
    "bitsandbytes",
    "datasets",
    "snakemake",
    "numpy",
    "scipy",
    "scikit-learn",
    "rouge-score",
)


def rule_seconds(run: Path) -> dict[str, list[float]]:
    """{rule: wall seconds of each of its jobs}; a rule's files sit under benchmarks/<rule>."""
    seconds = defaultdict(list)
    for path in sorted((Path(run) / "benchmarks").rglob("*.tsv")):
        rule = path.relative_to(Path(run) / "benchmarks").parts[0].removesuffix(".tsv")
        with path.open() as table:
            for row in csv.DictReader(table, delimiter="\t"):
                seconds[rule].append(float(row["s"]))
    return dict(seconds)


def job_seconds(run: Path) -> dict[str, dict]:
    """{rule: its jobs and their seconds added up}, the slowest rule first."""
    seconds = rule_seconds(run)
    return {
        rule: {"jobs": len(values), "seconds": round(sum(values), 1)}
        for rule, values in sorted(seconds.items(), key=lambda item: -sum(item[1]))
    }


def git_state(source: Path) -> dict:
    """The workflow's commit and whether its tracked files differ from it."""

    def git(*args):
        result = subprocess.run(
            ["git", "-C", str(source), *args], capture_output=True, text=True, check=False
        )
        return result.stdout.strip() if result.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if commit is None else bool(dirty)}


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    try:
        lines = cpuinfo.read_text().splitlines()
    except OSError:
        return platform.processor() or platform.machine()
    names = [line.partition(":")[2].strip() for line in lines if line.startswith("model name")]
    return names[0] if names else platform.machine()


def gpu_models() -> list[str]:
    """The GPUs nvidia-smi lists; none where there is no NVIDIA driver."""
    if shutil.which("nvidia-smi") is None:
        return []
    result = subprocess.run(
        ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
        capture_output=True,
        text=True,
        check=False,
    )
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def package_versions() -> dict[str, str | None]:
    def installed(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    return {name: installed(name) for name in PACKAGES}


def config_hash(config: dict) -> str:
    """SHA-256 of the config as canonical JSON (keys sorted)."""
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


def provenance(config: dict, precision: str, source: Path, run: Path, output: Path) -> None:
    """The provenance of the run in folder `run`, made with the workflow in `source`."""
    write_json(
        output,
        {
            **git_state(source),
            "config_sha256": config_hash(config),
            "config": config,
            "precision": precision,
            "cpu": cpu_model(),
            "cores": cores(),
            "gpus": gpu_models(),
            "python": platform.python_version(),
            "packages": package_versions(),
            "job_seconds": job_seconds(run),
        },
    )


def cores() -> int:
    """The CPU cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
