"""Our metrics reproduce TOFU's numbers on TOFU's own eval logs."""

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from tofu_reference import get_forget_quality, get_model_utility

from unlearnflow.metrics.rouge import rouge_l_recall
from unlearnflow.metrics.tofu_logs import LOG_FILES, summarize_tofu_logs
from unlearnflow.metrics.truth_ratio import (
    forget_truth_ratio_scores,
    retain_truth_ratio_scores,
    truth_ratios,
)
from unlearnflow.metrics.utility import SplitScores, forget_quality

REFERENCE = Path(__file__).parent / "data" / "tofu-reference"
MODELS = ("phi_full", "phi_retain90")
NAMES = {"retain": "Retain", "real_authors": "Real Authors", "world_facts": "Real World"}
METRICS = {"rouge_l": "ROUGE", "prob": "Prob.", "truth_ratio": "Truth Ratio"}


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> Path:
    """The gzipped reference logs, unpacked as TOFU writes them."""
    folder = tmp_path_factory.mktemp("tofu")
    for model in MODELS:
        (folder / model).mkdir()
        for packed in (REFERENCE / model).glob("*.json.gz"):
            with gzip.open(packed) as source, open(folder / model / packed.stem, "wb") as out:
                shutil.copyfileobj(source, out)
    return folder


def raw(folder: Path) -> dict:
    return {name: json.loads((folder / name).read_text()) for name in LOG_FILES.values()}


@pytest.mark.parametrize("model", MODELS)
def test_model_utility_and_forget_quality_match_tofu(logs, model):
    ours = summarize_tofu_logs(logs / model, logs / "phi_retain90")
    theirs = get_model_utility(raw(logs / model))
    theirs.update(get_forget_quality(raw(logs / model), raw(logs / "phi_retain90")))
    assert abs(ours["model_utility"] - theirs["Model Utility"]) <= 1e-6
    assert abs(ours["forget_quality"] - theirs["Forget Quality"]) <= 1e-6
    assert abs(ours["ks_statistic"] - theirs["KS Test Forget"]) <= 1e-6
    for split, name in NAMES.items():
        for metric, label in METRICS.items():
            assert abs(ours["components"][f"{split}_{metric}"] - theirs[f"{name} {label}"]) <= 1e-6
    for metric, label in METRICS.items():
        assert abs(ours["forget"][metric] - theirs[f"Forget {label}"]) <= 1e-6


def test_fine_tuned_model_is_far_from_retain_model(logs):
    full = summarize_tofu_logs(logs / "phi_full", logs / "phi_retain90")
    retain = summarize_tofu_logs(logs / "phi_retain90", logs / "phi_retain90")
    assert full["forget_quality"] < 1e-10
    assert retain["forget_quality"] == pytest.approx(1.0)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("log", sorted(LOG_FILES.values()))
def test_rouge_l_recall_matches_tofu_generations(logs, model, log):
    data = json.loads((logs / model / log).read_text())
    for index, (_, generated, reference) in data["generated_text"].items():
        assert rouge_l_recall(generated, reference) == pytest.approx(
            data["rougeL_recall"][index], abs=1e-9
        )


def test_truth_ratio_by_hand():
    """Wrong answers twice as likely per token as the paraphrase: TR = 1/2."""
    paraphrased = np.array([np.log(4.0)])  # per-token probability 1/4
    wrong = np.array([[np.log(2.0), np.log(2.0)]])  # per-token probability 1/2
    ratios = truth_ratios(paraphrased, wrong)
    assert ratios == pytest.approx([0.5])
    assert forget_truth_ratio_scores(ratios) == pytest.approx([0.5])
    assert retain_truth_ratio_scores(ratios) == pytest.approx([0.0])  # max(0, 1 - 2)


def test_identical_distributions_have_forget_quality_one():
    scores = SplitScores(np.zeros(5), np.linspace(1, 2, 5), np.ones((5, 3)), np.ones(5))
    assert forget_quality(scores, scores)["forget_quality"] == pytest.approx(1.0)


def test_command_line_prints_the_summary(logs):
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "unlearnflow"),
            "tofu-summary",
            str(logs / "phi_full"),
            str(logs / "phi_retain90"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(result.stdout)
    assert set(summary) >= {"model_utility", "forget_quality", "components"}
    assert len(summary["components"]) == 9


def test_command_line_names_a_folder_without_logs(tmp_path):
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "unlearnflow"),
            "tofu-summary",
            str(tmp_path),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "not a TOFU eval folder" in result.stderr
