"""A run snapshot: the tables, the figures and the provenance of a finished run, copied
into `docs/runs/<name>/` so that every published number points at the run that made it.

    unlearnflow snapshot NAME [--run DIR] [--into docs/runs] [--replace]

`run.json` is the run's provenance (provenance.py) with the wall time of the newest
complete Snakemake invocation in the run folder and the commit the snapshot was taken
at; `sweep_results.json` and `quantize_results.json` keep every model's rows.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

from .jsonl import write_json
from .plan import FIGURES, PROVENANCE, TABLES, figure_path, table_path
from .provenance import git_state

RESULTS = ("results/sweep_results.json", "results/quantize_results.json")
COPIED_FORMATS = ("csv", "md")


def run_files(run: Path) -> dict[str, Path]:
    """{name in the snapshot: file in the run}; the first missing file is named."""
    files = {"run.json": PROVENANCE, **{Path(path).name: path for path in RESULTS}}
    files.update(
        (f"tables/{name}.{fmt}", table_path(name, fmt)) for name in TABLES for fmt in COPIED_FORMATS
    )
    files.update((f"figures/{name}.png", figure_path(name)) for name in FIGURES)
    for path in files.values():
        if not (run / path).exists():
            raise FileNotFoundError(
                f"{run / path} does not exist: run the workflow (snakemake) in {run} first"
            )
    return {name: run / path for name, path in files.items()}


def last_wall_seconds(run: Path) -> tuple[float | None, str | None]:
    """Elapsed time of the newest Snakemake log in `run` that finished every step."""
    for log in sorted((run / ".snakemake" / "log").glob("*.snakemake.log"), reverse=True):
        text = log.read_text()
        elapsed = re.search(r"Elapsed time: (\d+):(\d\d):(\d\d(?:\.\d+)?)", text)
        if "(100%) done" in text and elapsed:
            hours, minutes, seconds = elapsed.groups()
            return int(hours) * 3600 + int(minutes) * 60 + float(seconds), log.name
    return None, None


def snapshot(name: str, run: Path, into: Path, replace: bool = False) -> Path:
    """Copy the run's artifacts into `into/name`; an existing snapshot is kept unless
    `replace`."""
    run, target = Path(run), Path(into) / name
    if target.exists() and not replace:
        raise FileExistsError(f"{target} exists: pick another name, or pass --replace")
    files = run_files(run)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target.parent))
    for relative, source in files.items():
        (staging / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, staging / relative)
    provenance = json.loads((staging / "run.json").read_text())
    wall, log = last_wall_seconds(run)
    provenance.update(
        wall_seconds=wall,
        wall_seconds_from=log,
        snapshot=git_state(Path(__file__).resolve().parents[2]),
    )
    write_json(staging / "run.json", provenance)
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target
