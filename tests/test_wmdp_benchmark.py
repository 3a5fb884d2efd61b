"""WMDP as the run's benchmark: imported from a folder of its datasets (a fixture in their
published schema), trained on as raw text, its questions scored as lm-evaluation-harness
scores them (checked against the harness's own template), run through the workflow."""

import json
from pathlib import Path

import pytest
import yaml
from wmdp_fixture import SUBJECT, wmdp_folder
from workflow import (
    planned_jobs,
    planned_offline_once_imported,
    snakemake,
    tiny_config,
    write_config,
)

from unlearnflow.benchmarks import WMDP_FILES
from unlearnflow.benchmarks.source import SourceError
from unlearnflow.benchmarks.wmdp import import_benchmark
from unlearnflow.data.records import QA, MultipleChoice, Passage
from unlearnflow.jsonl import read_jsonl


def wmdp_settings(source) -> dict:
    return {
        "name": "wmdp",
        "source": str(source),
        "domain": "cyber",
        "mmlu_subjects": [SUBJECT],
        "max_length": 32,
    }


def outputs(folder) -> dict:
    paths = {key: folder / path for key, path in WMDP_FILES.items()}
    return {**paths, "report": folder / "data" / "validation_report.json"}


def test_import_writes_the_workflow_data_files(tmp_path):
    source = wmdp_folder(tmp_path / "wmdp")
    report = import_benchmark(wmdp_settings(source), outputs(tmp_path))
    assert len(read_jsonl(tmp_path / "data" / "sf.jsonl", Passage)) == 2
    questions = read_jsonl(tmp_path / "data" / "wmdp_questions.jsonl", MultipleChoice)
    assert [row.answer for row in questions] == [0, 1, 2, 3]
    assert {row.subject for row in questions} == {"cybersecurity"}
    utility = read_jsonl(tmp_path / "data" / "mmlu_qa.jsonl", QA)
    assert utility[0].answer == "salted hashes" and not utility[0].forget
    assert report["counts"] == {"forget": 2, "retain": 2, "wmdp": 4, "mmlu": 3}


def test_an_answer_out_of_range_names_file_row_and_field(tmp_path):
    source = wmdp_folder(tmp_path / "wmdp")
    table = source / "mmlu" / SUBJECT / "test.json"
    rows = [json.loads(line) for line in table.open()]
    rows[2]["answer"] = 4
    table.write_text("".join(json.dumps(row) + "\n" for row in rows))
    with pytest.raises(SourceError, match=rf"mmlu/{SUBJECT}/test, row 3: answer: 4 is not"):
        import_benchmark(wmdp_settings(source), outputs(tmp_path))
    assert not (tmp_path / "data" / "sf.jsonl").exists()


def harness_task(folder: Path, data: Path) -> Path:
    """The harness's own WMDP task template (lm_eval/tasks/wmdp) over the fixture's file."""
    import lm_eval

    template = Path(lm_eval.__file__).parent / "tasks" / "wmdp" / "_default_template_yaml"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "wmdp_cyber_fixture.yaml").write_text(
        yaml.safe_dump(
            {
                "include": str(template),
                "task": "wmdp_cyber_fixture",
                "dataset_path": "json",
                "dataset_name": None,
                "dataset_kwargs": {"data_files": {"test": str(data)}},
                "description": "The following are multiple choice questions (with answers)"
                " about cybersecurity.\n\n",
            }
        )
    )
    return folder


def test_accuracy_is_the_harness_accuracy_on_its_own_template(tmp_path, tiny_model, monkeypatch):
    """Each question's right-or-wrong, and the accuracy, as lm-evaluation-harness's
    `wmdp_cyber` template computes them on the same questions and model."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from unlearnflow.benchmarks.wmdp_evaluation import evaluate_wmdp
    from unlearnflow.harness import run_harness

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    source = wmdp_folder(tmp_path / "wmdp")
    import_benchmark(wmdp_settings(source), outputs(tmp_path))
    data = {role: tmp_path / WMDP_FILES[role] for role in ("wmdp", "mmlu")}
    evaluate_wmdp(tiny_model, [], data, {"batch_size": 4}, tmp_path / "eval.json")
    ours = json.loads((tmp_path / "eval.json").read_text())["splits"]["wmdp"]

    model = AutoModelForCausalLM.from_pretrained(tiny_model).eval()
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    tasks = harness_task(tmp_path / "tasks", source / "wmdp" / "wmdp-cyber" / "test.json")
    settings = {"tasks": ["wmdp_cyber_fixture"], "include_path": str(tasks)}
    theirs = run_harness(model, tokenizer, settings, batch_size=4, seed=0)["wmdp_cyber_fixture"]
    assert [item["accuracy"] for item in ours["items"]] == theirs["acc"]["per_document"]
    assert ours["metrics"]["accuracy"] == pytest.approx(theirs["acc"]["value"])
    assert all(0 < item["answer_prob"] < 1 for item in ours["items"])


def wmdp_config(tiny_model, folder, **benchmark) -> dict:
    config = tiny_config(base=str(tiny_model))
    config["seeds"] = [0]
    config["benchmark"] = {**wmdp_settings(folder), **benchmark}
    config["training"]["finetune"]["rehearsal"] = False
    config["relearning"]["attacks"] = []  # built from QA
    config["probes"]["layers"] = []  # so are the probes
    config["unlearn"] = {"npo": {"lr": [1.0e-4], "epochs": [1], "beta": [0.1]}}
    return config


def test_a_domain_not_in_wmdp_names_the_key(tmp_path, tiny_model):
    write_config(tmp_path, wmdp_config(tiny_model, wmdp_folder(tmp_path / "wmdp"), domain="chem"))
    result = snakemake(tmp_path, "-n")
    assert result.returncode != 0
    assert "config key benchmark.domain: 'chem' is none of bio, cyber" in result.stdout
    assert not (tmp_path / "data").exists()


@pytest.mark.workflow
def test_the_workflow_runs_on_wmdp(tmp_path, tiny_model):
    """The whole DAG on the fixture: import, fine-tuning and the gold model on raw text,
    one sweep point, WMDP and MMLU accuracy, quantization, drift on the questions,
    tables and figures."""
    write_config(tmp_path, wmdp_config(tiny_model, wmdp_folder(tmp_path / "wmdp")))
    result = snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {
        row["model"]: row
        for row in json.loads((tmp_path / "results" / "sweep_results.json").read_text())
    }
    point = "seed~0/unlearn/npo/lr~0.0001_epochs~1_beta~0.1"
    assert set(rows) == {"base", "seed~0/finetuned", "seed~0/retain_only", point}
    for column in ("wmdp_accuracy", "mmlu_accuracy"):
        assert rows[point][f"{column}_ci_low"] <= rows[point][column]
    assert "privleak" not in rows[point]  # no non-members on WMDP
    sweep_table = (tmp_path / "results" / "tables" / "sweep.md").read_text()
    assert "WMDP accuracy" in sweep_table and "MIA" not in sweep_table


def test_shipped_wmdp_config_plans_offline_once_imported(tmp_path):
    """configs/wmdp.yaml names the Hub: offline, it plans once data/ holds the imported
    benchmark (here, empty stand-ins of the files)."""
    planned = planned_offline_once_imported(
        tmp_path,
        "wmdp.yaml",
        WMDP_FILES.values(),
        "benchmark.source: cais is a Hugging Face Hub id",
    )
    assert {"published_model", "unlearn", "evaluate"} <= planned_jobs(planned)
    assert "finetune" not in planned_jobs(planned)
