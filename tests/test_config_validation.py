"""Bad config stops Snakemake before any job, with a message that names the key."""

import pytest
import yaml
from workflow import ROOT, snakemake, tiny_config, write_config


def broken(change):
    config = tiny_config(base="unused")
    change(config)
    return config


CASES = [
    (
        lambda c: c["data"].update(peple=3),
        "config key data: Additional properties are not allowed ('peple' was unexpected)",
    ),
    (lambda c: c["data"].update(people="ten"), "config key data.people: 'ten' is not of type"),
    (lambda c: c["data"].update(wrong_answers=1), "config key data.wrong_answers: 1 is less than"),
    (
        lambda c: c["generation"].update(backend="templat"),
        "config key generation.backend: 'templat' is not one of",
    ),
    (
        lambda c: c["generation"]["openai"].update(base_url="localhost:8080"),
        "config key generation.openai.base_url",
    ),
    (
        lambda c: c["data"]["categories"].append("hobbies"),
        "config key data.categories: the template backend has no category 'hobbies'",
    ),
    (
        lambda c: c["data"].update(forget_category="birthday"),
        "config key data.forget_category: not one of data.categories",
    ),
    (lambda c: c.pop("generation"), "config key (top level): 'generation' is a required"),
    (lambda c: c.update(seeds=[]), "config key seeds: [] should be non-empty"),
    (lambda c: c.update(seeds=[0, 0]), "config key seeds: [0, 0] has non-unique elements"),
    (lambda c: c.update(seeds=[0, 1.5]), "config key seeds.1: 1.5 is not of type 'integer'"),
    (
        lambda c: c["intervals"].update(resamples=50),
        "config key intervals.resamples: 50 is less than the minimum of 100",
    ),
    (
        lambda c: c["intervals"].update(confidence=95),
        "config key intervals.confidence: 95 is greater than or equal to the maximum of 1",
    ),
    (
        lambda c: (
            c["unlearn"].update(task_vector={"lr": [1e-3], "epochs": [1]}),
            c["training"]["unlearn"].update(full=True),
        ),
        "config key training.unlearn.full: task_vector works on the unlearning LoRA adapter",
    ),
    (
        lambda c: c["unlearn"].update(sure={"lr": [1e-3], "epochs": [1], "base": ["gd", "simnpo"]}),
        "config key unlearn.sure.base: sure: base must be one of ga, gd, npo, not 'simnpo'",
    ),
    (
        lambda c: c["unlearn"].update(rmu={"lr": [1e-3], "epochs": [1], "trained_layers": [0]}),
        "config key unlearn.rmu.trained_layers: rmu: need 0 <= layer and 1 <= trained_layers",
    ),
    (
        lambda c: c["unlearn"]["ga"].update(lr=[float("nan")]),
        "config key unlearn.ga.lr.0: must be a finite number, not nan",
    ),
    (
        lambda c: c["training"]["finetune"].update(lr=float("inf")),
        "config key training.finetune.lr: must be a finite number, not inf",
    ),
    (
        lambda c: c["unlearn"]["npo"].update(beta=["1e-1"]),
        "config key unlearn.npo.beta: npo: beta must be a float, not '1e-1' (YAML reads 1e-1",
    ),
    (
        lambda c: c["unlearn"]["npo"].update(beta=[0.0]),
        "config key unlearn.npo.beta: npo: beta must be above 0, not 0.0",
    ),
    (
        lambda c: c["unlearn"]["npo"].update(retain_weight=[-1.0]),
        "config key unlearn.npo.retain_weight: npo: retain_weight must be at least 0, not -1.0",
    ),
    (
        lambda c: c["data"].update(wrong_answers=30),
        "config key data.wrong_answers: the template backend draws at most 24 wrong answers"
        " for category 'birth'",
    ),
    (
        lambda c: c["unlearn"]["ga"].update(lr=[1.0e-4, 0.0001]),
        "config key unlearn.ga.lr: 0.0001 listed twice",
    ),
    (
        lambda c: c["relearning"].update(steps=[0, 2]),
        "config key relearning.steps.0: 0 is less than the minimum of 1",
    ),
    (
        lambda c: c["relearning"].update(steps=[2, 2]),
        "config key relearning.steps: [2] listed twice",
    ),
    (
        lambda c: c["relearning"].update(share=1.0),
        "config key relearning.share: 1.0 is greater than or equal to the maximum of 1",
    ),
    (
        lambda c: c["relearning"].update(share=0.1),
        "config key relearning.share: 0.1 of 3 forget items is 0",
    ),
    (
        lambda c: c["probes"].update(folds=1),
        "config key probes.folds: 1 is less than the minimum of 2",
    ),
    (
        lambda c: c["probes"].update(folds=4),
        "config key probes.folds: 4 folds of 3 forget items; at most one fold per item",
    ),
]


@pytest.mark.parametrize("change, message", CASES)
def test_bad_config_names_the_key(tmp_path, change, message):
    write_config(tmp_path, broken(change))
    result = snakemake(tmp_path, "-n")
    assert result.returncode != 0
    assert message in result.stderr + result.stdout
    assert not (tmp_path / "data").exists() and not (tmp_path / "results").exists()


# The published benchmarks' configs name the Hub, and plan only once imported (offline):
# test_{tofu,muse,wmdp}_benchmark.py plan them so
HUB_CONFIGS = {
    ROOT / "configs" / name for name in ("tofu-forget10.yaml", "muse-news.yaml", "wmdp.yaml")
}
PLANNED_OFFLINE = sorted(set((ROOT / "configs").glob("*.yaml")) - HUB_CONFIGS)


@pytest.mark.parametrize("overlay", PLANNED_OFFLINE, ids=lambda p: p.name)
def test_shipped_configs_are_valid(tmp_path, overlay):
    write_config(tmp_path, yaml.safe_load((ROOT / "config.yaml").read_text()))
    result = snakemake(tmp_path, "-n", "--configfile", str(tmp_path / "config.yaml"), str(overlay))
    assert result.returncode == 0, result.stderr[-2000:]


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    import subprocess

    from workflow import SNAKEMAKE

    (tmp_path / "config.yaml").write_text("seed: 0\nmodel:\n  base: [unclosed\n  precision: auto\n")
    result = subprocess.run(
        [str(SNAKEMAKE), "--snakefile", str(ROOT / "Snakefile"), "-n"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    said = result.stdout + result.stderr
    assert result.returncode != 0
    assert "config.yaml is not valid YAML" in said
    assert 'in "config.yaml", line 3, column 9' in said


def test_check_yaml_names_the_line_of_an_overlay(tmp_path):
    import subprocess
    import sys

    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("seeds: [0, 1\nmodel:\n  base: x\n")
    good = tmp_path / "good.yaml"
    good.write_text("seeds: [0, 1]\n")
    command = [sys.executable, "-m", "unlearnflow.cli", "check-yaml"]
    result = subprocess.run([*command, str(good), str(overlay)], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{overlay} is not valid YAML" in result.stderr
    assert "line 2, column 6" in result.stderr
    assert str(good) not in result.stderr
    assert subprocess.run([*command, str(good)], capture_output=True).returncode == 0
