"""A run snapshot: the tables, the figures and the provenance of a finished run, copied
into `docs/runs/<name>/` so that every published number points at the run that made it.

    unlearnflow snapshot NAME [--run DIR] [--into docs/runs] [--replace]

`run.json` is the run's provenance (provenance.py) with the Snakemake invocations that
built the run folder (log, jobs, wall seconds) and the commit the snapshot was taken at;
the results files keep every model's rows (a generation run's `sweep_results.json` and
`quantize_results.json`, an embedding track's `classification_results.*` or
`retrieval_results.*`).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

from .classification import plan as classification
from .jsonl import write_json
from .plan import FIGURES, PROVENANCE, TABLES, figure_path, table_path
from .provenance import git_state
from .retrieval import plan as retrieval

COPIED_FORMATS = ("csv", "md")
# task -> (results files, tables, figures as run paths)
TASK_FILES = {
    "generation": (
        ("results/sweep_results.json", "results/quantize_results.json"),
        TABLES,
        [figure_path(name) for name in FIGURES],
    ),
    "classification": (
        (classification.RESULTS, classification.RESULTS_CSV),
        (classification.TABLE,),
        [classification.figure_path(name) for name in classification.FIGURES],
    ),
    "retrieval": (
        (retrieval.RESULTS, retrieval.RESULTS_CSV),
        retrieval.TABLES,
        [retrieval.figure_path(name) for name in retrieval.FIGURES],
    ),
}


def run_task(run: Path) -> str:
    """The run's `task`, from its provenance (generation for runs from before tasks)."""
    path = Path(run) / PROVENANCE
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist: run the workflow (snakemake) in {run} first"
        )
    return json.loads(path.read_text())["config"].get("task", "generation")


def run_files(run: Path) -> dict[str, Path]:
    """{name in the snapshot: file in the run}, for the run's task; the first missing
    file is named."""
    results, tables, figures = TASK_FILES[run_task(run)]
    files = {"run.json": PROVENANCE, **{Path(path).name: path for path in results}}
    files.update(
        (f"tables/{name}.{fmt}", table_path(name, fmt)) for name in tables for fmt in COPIED_FORMATS
    )
    files.update((f"figures/{Path(path).name}", path) for path in figures)
    for path in files.values():
        if not (run / path).exists():
            raise FileNotFoundError(
                f"{run / path} does not exist: run the workflow (snakemake) in {run} first"
            )
    return {name: run / path for name, path in files.items()}


def invocations(run: Path) -> list[dict]:
    """Every Snakemake invocation in `run` that finished all its steps, oldest first:
    its log, its command line (the executable's folder left out) and its wall seconds."""
    found = []
    for log in sorted((run / ".snakemake" / "log").glob("*.snakemake.log")):
        text = log.read_text()
        elapsed = re.search(r"Elapsed time: (\d+):(\d\d):(\d\d(?:\.\d+)?)", text)
        steps = re.findall(r"(\d+) of \d+ steps \(100%\) done", text)
        command = re.search(r"^\s*Command: (\S+)(.*)$", text, re.MULTILINE)
        if elapsed and steps:
            hours, minutes, seconds = elapsed.groups()
            wall = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
            found.append(
                {
                    "log": log.name,
                    "command": Path(command[1]).name + command[2] if command else None,
                    "jobs": int(steps[-1]),
                    "seconds": round(wall, 1),
                }
            )
    return found


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
    provenance.update(
        invocations=invocations(run),
        snapshot=git_state(Path(__file__).resolve().parents[2]),
    )
    write_json(staging / "run.json", provenance)
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target


# The columns of each task's table a summary quotes (each with its interval).
SUMMARY_COLUMNS = {
    "generation": (
        "forget ROUGE-L",
        "retain ROUGE-L",
        "model utility",
        "real-world ROUGE-L",
        "forget quality",
        "privleak (%)",
    ),
    "classification": (
        "test MCC",
        "retain MCC",
        "forget recall",
        "KL to gold (retain)",
        "passes gate",
        "chosen",
    ),
    "retrieval": ("retain Recall@", "forget Recall@", "meets targets"),
}


def summary_table(snapshot_dir: Path, task: str):
    """The task's table, its summary columns only; for retrieval the float models at
    the largest dimension."""
    import pandas as pd

    if task == "retrieval":
        table = pd.read_csv(snapshot_dir / "tables" / "retrieval.csv")
        widest = table[table["dimension"] == table["dimension"].max()]
        table = widest[widest["precision"] == "float"].set_index("model")
    else:
        name = "sweep" if task == "generation" else "classification"
        table = pd.read_csv(snapshot_dir / "tables" / f"{name}.csv", index_col="model")

    def quoted(column: str) -> bool:
        return any(
            column.split(" low")[0].split(" high")[0].startswith(c) for c in SUMMARY_COLUMNS[task]
        )

    return table[[c for c in table.columns if quoted(c)]]


def summary(snapshot_dir: Path) -> str:
    """A short markdown summary of a snapshot: where and how long it ran, and its
    table's main columns with their intervals, as the README and docs quote it."""
    from .tables import shown

    snapshot_dir = Path(snapshot_dir)
    run = json.loads((snapshot_dir / "run.json").read_text())
    task = run["config"].get("task", "generation")
    table = summary_table(snapshot_dir, task)
    markdown = shown(table).reset_index().to_markdown(index=False, disable_numparse=True)
    runs = run.get("invocations", [])
    minutes = "; ".join(
        (f"`{r['command']}` " if r.get("command") else "")
        + f"{r['seconds'] / 60:.1f} min ({r['jobs']} jobs)"
        for r in runs
    )
    seeds = run["config"]["seeds"] if task == "generation" else [run["config"]["seed"]]
    return (
        f"Run `{snapshot_dir.name}`: commit {str(run['commit'])[:7]}, {run['precision']},"
        f" {run['cpu']} ({run['cores']} cores), Snakemake wall time {minutes or 'unknown'};"
        f" seeds {seeds}, intervals {run['config']['intervals']['confidence']:.0%}"
        f" ({'over items' if len(seeds) == 1 else 'across seeds'}).\n\n{markdown}\n"
    )


def quote(document: Path, snapshot_dir: Path) -> None:
    """Rewrite the summary block of `snapshot_dir` in `document` with its summary."""
    replace_block(document, Path(snapshot_dir).as_posix(), summary(snapshot_dir))


def replace_block(document: Path, name: str, text: str) -> None:
    """Rewrite the block of `document` between `<!-- summary of NAME -->` and
    `<!-- end of summary -->` with `text`; the block must exist."""
    document = Path(document)
    start, end = f"<!-- summary of {name} -->", "<!-- end of summary -->"
    body = document.read_text()
    if start not in body:
        raise ValueError(f"{document}: no {start!r} line to quote under")
    head, rest = body.split(start, 1)
    _, tail = rest.split(end, 1)
    document.write_text(f"{head}{start}\n{text}{end}{tail}")
