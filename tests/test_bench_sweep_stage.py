"""bench/bench_sweep_stage.py: the command, precision and job-seconds of a timed run."""

import importlib.util
import json
from pathlib import Path

import pytest

from unlearnflow.hardware import resolve_precision
from unlearnflow.snapshot import replace_block

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "bench_sweep_stage.py"
spec = importlib.util.spec_from_file_location("bench_sweep_stage", SCRIPT)
bench_sweep_stage = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_sweep_stage)

BENCHMARK_HEADER = (
    "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
)


def finished_log(command: str, elapsed: str) -> str:
    """The lines of a Snakemake 9 log that the timing reads."""
    return (
        f"  Command: /venv/bin/snakemake {command}\n"
        "22 of 22 steps (100%) done\n"
        f"Elapsed time: {elapsed}\n"
    )


def timed_run(tmp_path: Path, *commands: str) -> Path:
    (tmp_path / "configs").mkdir(parents=True)
    (tmp_path / "config.yaml").write_text(
        "model:\n  precision: auto\nintervals:\n  confidence: 0.95\n"
    )
    (tmp_path / "configs" / "float32.yaml").write_text("model:\n  precision: float32\n")
    logs = tmp_path / ".snakemake" / "log"
    logs.mkdir(parents=True)
    for number, command in enumerate(commands):
        (logs / f"2026-12-0{number + 1}T000000.0.snakemake.log").write_text(
            finished_log(command, "1:02:03.4")
        )
    for rule, seconds in (("finetune/seed~0", [1500.5]), ("evaluate/base", [60.0, 40.25])):
        path = tmp_path / "benchmarks" / f"{rule}.tsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            BENCHMARK_HEADER + "".join(f"{s}\t0\t1\t1\t1\t1\t0\t0\t1\t1\n" for s in seconds)
        )
    return tmp_path


def test_the_overlay_sets_the_precision_and_the_job_seconds_add_up(tmp_path):
    run = timed_run(
        tmp_path, "--cores 1 results/sweep_results.json --configfile configs/float32.yaml"
    )
    timing = bench_sweep_stage.sweep_stage(run)
    assert timing["command"] == (
        "snakemake --cores 1 results/sweep_results.json --configfile configs/float32.yaml"
    )
    assert timing["seconds"] == 3723.4 and timing["minutes"] == 62.1
    assert timing["jobs"] == 22
    assert (timing["precision_setting"], timing["precision"]) == ("float32", "float32")
    assert timing["confidence"] == 0.95
    assert timing["job_seconds"] == {
        "finetune": {"jobs": 1, "seconds": 1500.5},
        "evaluate": {"jobs": 2, "seconds": 100.2},
    }
    assert timing["job_seconds_total"] == 1600.8


def test_without_an_overlay_the_precision_resolves_on_this_machine(tmp_path):
    timing = bench_sweep_stage.sweep_stage(
        timed_run(tmp_path, "--cores 1 results/sweep_results.json")
    )
    assert timing["precision_setting"] == "auto"
    assert timing["precision"] == resolve_precision("auto")


def test_a_run_with_several_invocations_is_refused(tmp_path):
    run = timed_run(tmp_path, "--cores 1 results/sweep_results.json", "--cores 2")
    with pytest.raises(ValueError, match="2 finished invocations"):
        bench_sweep_stage.sweep_stage(run)


def test_the_timings_table_is_quoted_in_its_block(tmp_path):
    timing = bench_sweep_stage.sweep_stage(
        timed_run(tmp_path / "run", "--cores 1 results/sweep_results.json")
    )
    folder = tmp_path / "sweep-stage"
    (folder / "one-core").mkdir(parents=True)
    (folder / "one-core" / "timing.json").write_text(json.dumps(timing))
    document = tmp_path / "README.md"
    document.write_text(
        f"before\n<!-- summary of {folder} -->\nstale table\n<!-- end of summary -->\nafter\n"
    )
    replace_block(document, folder.as_posix(), bench_sweep_stage.timings_table(folder))
    text = document.read_text()
    assert "stale table" not in text and text.startswith("before\n") and text.endswith("after\n")
    row = next(line for line in text.splitlines() if "--cores 1" in line)
    assert "| 62.1 " in row and "| 1,601 " in row  # wall minutes; all jobs, 1,600.75 s
    with pytest.raises(ValueError, match="no '<!-- summary of elsewhere -->' line"):
        replace_block(document, "elsewhere", "text")


@pytest.mark.parametrize("document", ["README.md", "docs/performance.md"])
def test_the_docs_quote_the_committed_timings(document):
    root = SCRIPT.parents[1]
    block = (root / document).read_text().split("<!-- summary of docs/runs/sweep-stage -->\n", 1)[1]
    block = block.split("<!-- end of summary -->", 1)[0]
    assert block == bench_sweep_stage.timings_table(root / "docs" / "runs" / "sweep-stage")
