"""Running the real Snakemake on the tiny test config, from a scratch working directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
TINY_CONFIG = ROOT / "tests" / "configs" / "tiny.yaml"


def tiny_config(**model) -> dict:
    config = yaml.safe_load(TINY_CONFIG.read_text())
    config["model"].update(model)
    return config


def write_config(workdir: Path, config: dict) -> Path:
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def snakemake(
    workdir: Path, *args: str, timeout: int = 600, env: dict | None = None
) -> subprocess.CompletedProcess:
    command = [
        str(SNAKEMAKE),
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(workdir / "config.yaml"),
        "--cores",
        "2",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


def planned_counts(result: subprocess.CompletedProcess) -> dict[str, int]:
    """Rule name -> jobs, from the 'Job stats' table of a dry run (empty when nothing is
    to be done)."""
    lines = result.stdout.splitlines()
    if "Job stats:" not in lines:
        return {}
    counts = {}
    for line in lines[lines.index("Job stats:") + 3 :]:
        if line.startswith("total"):
            break
        rule, count = line.split()
        counts[rule] = int(count)
    return counts


def planned_jobs(result: subprocess.CompletedProcess) -> set[str]:
    """Rule names of the jobs a dry run plans."""
    return set(planned_counts(result))


def planned_offline_once_imported(
    workdir: Path, overlay: str, files, refusal: str
) -> subprocess.CompletedProcess:
    """The dry run of config.yaml under `configs/{overlay}`, whose benchmark names the
    Hub: offline it is refused (`refusal` said), then planned once data/ holds the
    imported `files` (empty stand-ins)."""
    import os

    write_config(workdir, yaml.safe_load((ROOT / "config.yaml").read_text()))
    configs = [str(workdir / "config.yaml"), str(ROOT / "configs" / overlay)]
    offline = {**os.environ, "HF_HUB_OFFLINE": "1"}
    refused = snakemake(workdir, "-n", "--configfile", *configs, env=offline)
    assert refusal in refused.stdout
    for path in [*files, "data/validation_report.json"]:
        (workdir / path).parent.mkdir(parents=True, exist_ok=True)
        (workdir / path).write_text("")
    planned = snakemake(workdir, "-n", "--configfile", *configs, env=offline)
    assert planned.returncode == 0, planned.stderr[-2000:]
    return planned
