"""TOFU as the run's benchmark: imported from a folder of its tables (a fixture in its
published schema), checked row by row, and run through the workflow."""

import json
import os
import time

import pytest
from tofu_fixture import tofu_folder
from tofu_reference import get_forget_quality, get_model_utility
from workflow import (
    planned_jobs,
    planned_offline_once_imported,
    snakemake,
    tiny_config,
    write_config,
)

from unlearnflow.benchmarks import QA_FILES
from unlearnflow.benchmarks.source import SourceError, load_rows
from unlearnflow.benchmarks.tofu import TofuPerturbedQA, TofuQA, import_benchmark
from unlearnflow.data.records import QA, WrongDetails
from unlearnflow.jsonl import read_jsonl


def tofu_settings(source) -> dict:
    return {
        "name": "tofu",
        "source": str(source),
        "forget_split": "forget01",
        "retain_split": "retain99",
    }


def outputs(folder) -> dict:
    paths = {key: folder / path for key, path in QA_FILES.items()}
    return {**paths, "report": folder / "data" / "validation_report.json"}


def test_import_writes_the_workflow_data_files(tmp_path):
    source = tofu_folder(tmp_path / "tofu")
    report = import_benchmark(tofu_settings(source), outputs(tmp_path))
    forget = read_jsonl(tmp_path / "data" / "sf.jsonl", QA)
    retain = read_jsonl(tmp_path / "data" / "sr.jsonl", QA)
    details = read_jsonl(tmp_path / "data" / "wrong_details.jsonl", WrongDetails)
    assert [row.forget for row in forget] == [True] * 4
    assert not any(row.forget for row in retain) and len(retain) == 8
    # the last author is forgotten; retain authors are numbered from 0, 20 QA each
    assert {row.person_id for row in forget} == {"tofu-author-199"}
    assert {row.person_id for row in retain} == {"tofu-author-000"}
    # wrong details for every forget item and for the retain items TOFU evaluates
    evaluated = [json.loads(line) for line in (source / "retain_perturbed.json").open()]
    by_id = {row.qa_id: row for row in details}
    assert set(by_id) == {row.qa_id for row in forget} | {
        row.qa_id for row in retain if row.question in {e["question"] for e in evaluated}
    }
    first = by_id[forget[0].qa_id]
    source_first = json.loads((source / "forget01_perturbed.json").open().readline())
    assert first.wrong_answers == source_first["perturbed_answer"]
    assert first.paraphrased_answer == source_first["paraphrased_answer"]
    assert (tmp_path / "data" / "forget_probes.jsonl").read_text() == ""
    assert report["counts"] == {"forget": 4, "retain": 8, "retain_evaluated": 3, "holdout": 4}


def test_a_missing_field_names_file_row_and_field(tmp_path):
    source = tofu_folder(tmp_path / "tofu")
    table = source / "retain99.json"
    rows = [json.loads(line) for line in table.open()]
    del rows[1]["answer"]
    table.write_text("".join(json.dumps(row) + "\n" for row in rows))
    with pytest.raises(SourceError, match=r"retain99.json, row 2: answer: Field required"):
        import_benchmark(tofu_settings(source), outputs(tmp_path))
    assert not (tmp_path / "data" / "sf.jsonl").exists()


def test_a_wrong_type_names_file_row_and_field(tmp_path):
    source = tofu_folder(tmp_path / "tofu")
    table = source / "forget01_perturbed.json"
    rows = [json.loads(line) for line in table.open()]
    rows[2]["perturbed_answer"] = "one wrong answer, not a list"
    table.write_text("".join(json.dumps(row) + "\n" for row in rows))
    said = r"forget01_perturbed.json, row 3: (field )?perturbed_answer"
    with pytest.raises(SourceError, match=said):
        load_rows(str(source), "forget01_perturbed", TofuPerturbedQA)


def test_a_hub_id_offline_fails_at_once_naming_key_and_files(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(SourceError, match=r"benchmark.source.*forget01_perturbed.json"):
        load_rows("locuslab/TOFU", "forget01_perturbed", TofuQA)
    assert time.perf_counter() - start < 10


def tofu_config(tiny_model, folder, **benchmark) -> dict:
    config = tiny_config(base=str(tiny_model))
    config["seeds"] = [0]
    config["benchmark"] = {**tofu_settings(folder), **benchmark}
    config["unlearn"] = {"npo": {"lr": [1.0e-4], "epochs": [1], "beta": [0.1]}}
    return config


@pytest.mark.parametrize(
    "benchmark, said",
    [
        ({"name": "mmlu"}, "config key benchmark.name: 'mmlu' is not a benchmark; allowed:"),
        (
            {"forget_split": "forget07"},
            "config key benchmark.forget_split: 'forget07' is none of forget01, forget05,",
        ),
        (
            {"retain_split": "retain95"},
            "config key benchmark.retain_split: 'retain95' does not complete forget01;"
            " allowed: retain99",
        ),
        ({"source": "no-such-folder/"}, "config key benchmark.source: no-such-folder/ lacks"),
    ],
)
def test_bad_benchmark_settings_name_the_key(tmp_path, tiny_model, benchmark, said):
    source = tofu_folder(tmp_path / "tofu")
    write_config(tmp_path, tofu_config(tiny_model, source, **benchmark))
    result = snakemake(tmp_path, "-n")
    assert result.returncode != 0
    assert said in result.stdout + result.stderr
    assert not (tmp_path / "data").exists()


def test_a_hub_source_offline_stops_the_plan(tmp_path, tiny_model):
    write_config(tmp_path, tofu_config(tiny_model, "locuslab/TOFU"))
    result = snakemake(tmp_path, "-n", env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert result.returncode != 0
    assert "benchmark.source: locuslab/TOFU is a Hugging Face Hub id" in result.stdout


@pytest.mark.workflow
def test_the_workflow_runs_on_tofu(tmp_path, tiny_model):
    """The whole DAG on the fixture (import, fine-tuning, the gold model, one sweep point,
    evaluation, TOFU logs, quantization, drift, tables and figures): TOFU's own
    aggregation of the logs gives the sweep table's numbers."""
    source = tofu_folder(tmp_path / "tofu")
    write_config(tmp_path, tofu_config(tiny_model, source))
    result = snakemake(tmp_path)
    targets = ["results/sweep_results.json"]
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {row["model"]: row for row in json.loads((tmp_path / targets[0]).read_text())}
    point = "seed~0/unlearn/npo/lr~0.0001_epochs~1_beta~0.1"
    assert set(rows) == {"base", "seed~0/finetuned", "seed~0/retain_only", point}
    evaluation = json.loads((tmp_path / "results/eval/seed~0/finetuned.json").read_text())
    assert len(evaluation["splits"]["forget"]["items"]) == 4
    assert len(evaluation["splits"]["retain"]["items"]) == 3  # TOFU's evaluated retain items
    assert "retain_correlated" not in evaluation["splits"]  # TOFU has no correlated facts
    assert evaluation["mia"]["nonmembers"][0].startswith("tofu-holdout01-")
    logs = {
        model: {
            path.name: json.loads(path.read_text())
            for path in (tmp_path / "results" / "tofu_logs" / model).iterdir()
        }
        for model in ("seed~0/finetuned", "seed~0/retain_only")
    }
    row = rows["seed~0/finetuned"]
    theirs = get_model_utility(logs["seed~0/finetuned"])["Model Utility"]
    assert theirs == pytest.approx(row["model_utility"], abs=1e-9)
    quality = get_forget_quality(logs["seed~0/finetuned"], logs["seed~0/retain_only"])
    assert quality["Forget Quality"] == pytest.approx(row["forget_quality"], abs=1e-9)
    report = snakemake(tmp_path, "--report", "results/report.html")
    assert report.returncode == 0, report.stderr[-2000:]
    assert (
        "benchmark <strong>tofu</strong> (source <tt"
        in (tmp_path / "results" / "report.html").read_text()
    )
    # an edit of the source table re-imports, and re-runs what reads the benchmark
    table = source / "holdout01.json"
    table.write_text(table.read_text().replace("Jaime", "Jaimie"))
    assert "import_benchmark" in planned_jobs(snakemake(tmp_path, "-n", *targets))


def test_shipped_tofu_config_plans_offline_once_imported(tmp_path):
    """configs/tofu-forget10.yaml names the Hub: offline, it plans once data/ holds the
    imported benchmark (here, empty stand-ins of the files)."""
    planned = planned_offline_once_imported(
        tmp_path,
        "tofu-forget10.yaml",
        QA_FILES.values(),
        "benchmark.source: locuslab/TOFU is a Hugging Face Hub id",
    )
    # open-unlearning's published fine-tuned and retain90 models, not trained here
    assert {"published_model", "unlearn"} <= planned_jobs(planned)
    assert "finetune" not in planned_jobs(planned)
