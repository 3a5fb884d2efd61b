"""The classification track end to end: the real Snakemake on the tiny config, with a
tiny random encoder, from the synthetic benchmark to the results, table and figures
(conftest.embedding_tracks builds it beside the retrieval track)."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import tracks_config
from workflow import planned_counts, planned_jobs, snakemake, write_config

from unlearnflow.classification.plan import FIGURES

UNLEARNED = {"unlearn/ga/lr~0.001_epochs~2", "unlearn/dpo_like/lr~0.001_epochs~1_beta~0.5"}
METRICS = ("test_mcc", "retain_mcc", "forget_mcc", "forget_recall", "kl_to_gold")


def classification_config(tiny_encoder) -> dict:
    return tracks_config(tiny_encoder, "classification")


@pytest.fixture
def built(embedding_tracks):
    return embedding_tracks


def edited(workdir, change):
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    change(config)
    write_config(workdir, config)


def test_rule_all_builds_every_model_its_row_table_and_figures(built):
    results = json.loads((built / "results/classification_results.json").read_text())
    rows = {row["model"]: row for row in results["rows"]}
    assert set(rows) == {"original", "gold", *UNLEARNED}
    assert results["forget_class"] == "negative_incident"
    assert (
        "negative_incident"
        not in json.loads(
            (built / "results/classification/models/gold/classifier.json").read_text()
        )["classes"]
    )
    for row in rows.values():
        for metric in METRICS:
            low, high = row[f"{metric}_ci_low"], row[f"{metric}_ci_high"]
            assert low is None or low <= row[metric] + 1e-9 <= high + 2e-9, (row["model"], metric)
    assert rows["gold"]["forget_recall"] == 0.0  # its head has no such class
    assert rows["gold"]["kl_to_gold"] == pytest.approx(0.0, abs=1e-6)
    threshold = results["gate"]["retain_mcc_threshold"]
    for model in UNLEARNED:
        assert rows[model]["passes_gate"] == (rows[model]["retain_mcc"] >= threshold)
    passing = [model for model in UNLEARNED if rows[model]["passes_gate"]]
    assert (results["chosen"] in passing) if passing else results["chosen"] is None
    for fmt in ("csv", "md", "tex"):
        assert (built / f"results/tables/classification.{fmt}").stat().st_size > 0
    for name in FIGURES:
        assert (built / f"results/figures/classification_{name}.png").stat().st_size > 0
    curve = json.loads(
        (built / "results/classification/curves/unlearn/ga/lr~0.001_epochs~2.json").read_text()
    )
    assert [row["epoch"] for row in curve] == [0, 1, 2]
    assert (built / "results/provenance.json").exists()


def test_second_run_has_nothing_to_do(built):
    assert planned_jobs(snakemake(built, "-n")) == set()


def test_a_grid_point_replans_only_its_own_jobs(built):
    original = (built / "config.yaml").read_text()
    try:
        edited(built, lambda config: config["classification"]["unlearn"]["ga"]["lr"].append(2e-3))
        assert planned_counts(snakemake(built, "-n")) == {
            "unlearn_classifier": 1,
            "evaluate_classifier": 1,
            "classification_results": 1,
            "classification_figures": 1,
            "provenance": 1,
            "all": 1,
        }
        (built / "config.yaml").write_text(original)
        edited(built, lambda config: config["classification"]["unlearning"].update(retain_gate=0.5))
        assert planned_jobs(snakemake(built, "-n")) == {
            "classification_results", "classification_figures", "provenance", "all",
        }  # fmt: skip
    finally:
        (built / "config.yaml").write_text(original)


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda c: c["classification"].update(forget_class="weather"),
            "config key classification.forget_class: 'weather' is not a label",
        ),
        (
            lambda c: c["classification"]["unlearn"]["ga"].update(beta=[0.1]),
            "config key classification.unlearn.ga.beta: ga has no such hyperparameter",
        ),
    ],
)
def test_bad_settings_are_named_before_any_job(tmp_path, tiny_encoder, change, message):
    config = classification_config(tiny_encoder)
    change(config)
    write_config(tmp_path, config)
    result = snakemake(tmp_path, "-n")
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert not (tmp_path / "results").exists()


def test_a_dataset_without_its_label_column_stops_before_any_training(tmp_path, tiny_encoder):
    folder = tmp_path / "reviews"
    folder.mkdir()
    for split in ("train", "test"):
        (folder / f"{split}.csv").write_text("text,stars\ngreat,5\nawful,1\nfine,3\n")
    config = classification_config(tiny_encoder)
    config["classification"].update(source=str(folder), forget_class="3")
    write_config(tmp_path, config)
    result = snakemake(tmp_path, "results/classification_results.json")
    assert result.returncode != 0
    log = (tmp_path / "logs/classification_data.log").read_text()
    assert "config key classification.label_column" in log and "train.csv" in log
    assert not (tmp_path / "results/classification/models").exists()
    config["classification"].update(source=str(tmp_path / "no-such-folder"))
    write_config(tmp_path, config)
    result = snakemake(tmp_path, "results/classification_results.json")
    log = (tmp_path / "logs/classification_data.log").read_text()
    assert "config key classification.source" in log and "has no train or test split" in log


def test_a_snapshot_of_the_run_holds_the_tracks_results_table_and_figures(built, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    command = [str(Path(sys.executable).parent / "unlearnflow"), "snapshot", "classification"]
    result = subprocess.run(
        [*command, "--run", str(built), "--into", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    snapshot = tmp_path / "classification"
    rows = json.loads((snapshot / "classification_results.json").read_text())["rows"]
    assert {row["model"] for row in rows} == {"original", "gold", *UNLEARNED}
    assert (snapshot / "tables/classification.md").read_text().startswith("|")
    for name in FIGURES:
        assert (snapshot / f"figures/classification_{name}.png").read_bytes()[:4] == b"\x89PNG"
    from unlearnflow.snapshot import summary

    assert "| forget recall" in summary(snapshot)


def test_the_report_holds_the_tracks_figures(built, tmp_path):
    result = snakemake(built, "--report", str(tmp_path / "report.html"))
    assert result.returncode == 0, result.stderr[-2000:]
    html = (tmp_path / "report.html").read_text().lower()
    assert "classification track" in html and "confusion matrices on the test split" in html
