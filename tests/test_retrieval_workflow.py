"""The retrieval track end to end: the real Snakemake on the tiny config, with a tiny
random encoder, from the synthetic benchmark to the results, tables and figures
(conftest.embedding_tracks builds it beside the classification track)."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import RETRIEVAL_TARGETS, tracks_config
from workflow import planned_counts, planned_jobs, snakemake, write_config

from unlearnflow.retrieval.plan import FIGURES, TABLES

MODELS = {
    "base",
    "finetuned",
    "gold",
    "unlearn/ga/lr~0.001_epochs~1",
    "unlearn/gd/lr~0.001_epochs~1_retain_weight~1.0",
    "unlearn/random_target/lr~0.001_epochs~1_retain_weight~1.0",
}


@pytest.fixture
def built(embedding_tracks):
    return embedding_tracks


def test_rule_all_evaluates_every_model_dimension_and_scheme(built):
    results = json.loads((built / "results/retrieval_results.json").read_text())
    rows = results["rows"]
    assert {(r["model"], r["scheme"], r["dimension"]) for r in rows} == {
        (model, scheme, dimension)
        for model in MODELS
        for scheme in ("float", "rtn-int4")
        for dimension in (32, 16)
    }
    forget = json.loads((built / "data/retrieval/forget.json").read_text())["documents"]
    corpus = (built / "data/retrieval/corpus.jsonl").read_text()
    assert forget and all(f'"{doc}"' in corpus for doc in forget)
    people = [json.loads(line)["name"] for line in (built / "data/profiles.jsonl").open()]
    assert not any(name in corpus for name in people)  # documents hide who they are about
    for row in rows:
        assert row["forget_queries"] > 0 and row["retain_queries"] > 0
        for key in ("retain_recall", "forget_recall", "retain_ndcg", "forget_ndcg"):
            low, high = row[f"{key}_ci_low"], row[f"{key}_ci_high"]
            assert low is None or low - 1e-9 <= row[key] <= high + 1e-9
        unlearned_float = row["model"].startswith("unlearn/") and row["scheme"] == "float"
        assert (row["meets_targets"] is not None) == unlearned_float
    meeting = {(m["model"], m["dimension"]) for m in results["meeting_targets"]}
    assert meeting == {(r["model"], r["dimension"]) for r in rows if r["meets_targets"]}
    for name in TABLES:
        for fmt in ("csv", "md", "tex"):
            assert (built / f"results/tables/{name}.{fmt}").stat().st_size > 0
    for name in FIGURES:
        assert (built / f"results/figures/retrieval_{name}.png").stat().st_size > 0


def test_second_run_has_nothing_to_do(built):
    assert planned_jobs(snakemake(built, "-n", *RETRIEVAL_TARGETS)) == set()


def test_a_grid_point_replans_only_its_own_jobs(built):
    original = (built / "config.yaml").read_text()
    try:
        config = yaml.safe_load(original)
        config["retrieval"]["unlearn"]["gd"]["lr"].append(2e-3)
        write_config(built, config)
        assert planned_counts(snakemake(built, "-n", *RETRIEVAL_TARGETS)) == {
            "unlearn_embedder": 1,
            "evaluate_embedder": 2,  # float and rtn-int4
            "retrieval_results": 1,
            "retrieval_figures": 1,
        }
    finally:
        (built / "config.yaml").write_text(original)


def test_a_dimension_above_the_width_is_named_before_any_job(tmp_path, tiny_encoder):
    config = tracks_config(tiny_encoder, "retrieval")
    config["retrieval"]["dimensions"] = [64, 16]
    write_config(tmp_path, config)
    result = snakemake(tmp_path, "-n")
    assert result.returncode != 0
    assert (
        "config key retrieval.dimensions: [64] above the width 32" in result.stdout + result.stderr
    )
