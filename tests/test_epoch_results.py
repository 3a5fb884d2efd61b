"""The epoch table and its figures from any benchmark's evaluations."""

import json

import pytest

from unlearnflow.epoch_results import epoch_rows
from unlearnflow.plots import forgetting_by_epoch, layerdrift_by_epoch

BOOTSTRAP = {"resamples": 200, "confidence": 0.95, "seed": 0}
RUN = "seed~0/unlearn/npo/lr~0.001_epochs~2"


def write(path, content) -> str:
    path.write_text(json.dumps(content))
    return str(path)


def muse_evaluation(values: list[float]) -> dict:
    """MUSE's splits: per-item ROUGE-L F1, no QA losses."""
    items = [{"id": f"i{n}", "rouge_l_f1": v, "generation": "x"} for n, v in enumerate(values)]
    return {
        "splits": {
            name: {"metrics": {}, "items": items}
            for name in ("forget_verbmem", "forget_knowmem", "retain_knowmem")
        }
    }


def drift(delta: float) -> dict:
    measures = {"items": {"delta_norm": [[delta, delta + 1.0], [delta, delta]]}}
    return {"layers": [0, 1], "drift": {"forget": {"finetuned": measures}}}


def test_every_split_of_a_raw_text_benchmark_is_followed_by_epoch(tmp_path):
    models = {f"{RUN}@epoch~1": ([0.8, 0.6], 1.0), RUN: ([0.2, 0.4], 3.0)}
    evaluations = {
        name: write(tmp_path / f"e{n}.json", muse_evaluation(values))
        for n, (name, (values, _)) in enumerate(models.items())
    }
    drifts = {
        name: write(tmp_path / f"d{n}.json", drift(delta))
        for n, (name, (_, delta)) in enumerate(models.items())
    }
    rows = epoch_rows(evaluations, drifts, BOOTSTRAP)
    first, last = rows["metrics"]
    assert (first["run"], first["epoch"], last["epoch"]) == ("unlearn/npo/lr~0.001_epochs~2", 1, 2)
    assert first["forget_verbmem_rouge_l_f1"] == pytest.approx(0.7)
    assert last["retain_knowmem_rouge_l_f1"] == pytest.approx(0.3)
    assert [row["delta_norm"] for row in rows["drift"] if row["epoch"] == 2] == [3.5, 3.0]
    assert len(forgetting_by_epoch(rows).axes) == 3  # verbmem, forget and retain knowmem
    assert layerdrift_by_epoch(rows).axes


def test_a_benchmark_without_the_drawn_metrics_says_so():
    rows = {"metrics": [{"run": "r", "method": "ga", "epoch": 1, "other": 0.1}], "drift": []}
    figure = forgetting_by_epoch(rows)
    assert "none of the metrics" in figure.axes[0].texts[0].get_text()
