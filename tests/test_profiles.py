"""The profiles and the seed-scale config plan here: jobs, and the resources they ask for."""

import re

import pytest
import yaml
from harness_task import TASK, task_folder
from workflow import ROOT, planned_counts, snakemake, write_config

from unlearnflow.plan import EMBEDDING_GPU_RULES, GPU_RULES

SEED_SCALE = ROOT / "configs" / "qwen2.5-1.5b.yaml"


def job_resources(dry_run: str) -> dict[str, list[dict[str, str]]]:
    """Rule -> the resources of each of its jobs, from a dry run's output."""
    resources: dict[str, list[dict[str, str]]] = {}
    for block in dry_run.split("\nrule ")[1:]:
        rule = block.split(":", 1)[0]
        line = re.search(r"^\s+resources: (.*)$", block, re.MULTILINE)
        fields = dict(item.split("=", 1) for item in line.group(1).split(", ")) if line else {}
        resources.setdefault(rule, []).append(fields)
    return resources


@pytest.fixture(scope="module")
def seed_scale_plan(tmp_path_factory):
    """The seed-scale config, with a harness task of our own on every model."""
    workdir = tmp_path_factory.mktemp("seed-scale")
    write_config(workdir, yaml.safe_load((ROOT / "config.yaml").read_text()))
    tasks = task_folder(workdir / "tasks")
    harness = workdir / "harness.yaml"
    harness.write_text(
        yaml.safe_dump({"evaluation": {"lm_eval": {"tasks": [TASK], "include_path": str(tasks)}}})
    )
    configs = [workdir / "config.yaml", SEED_SCALE, harness]
    result = snakemake(workdir, "-n", "--configfile", *configs)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_seed_scale_sweeps_three_methods_over_lr_and_epochs(seed_scale_plan):
    counts = planned_counts(seed_scale_plan)
    sweep = 3 * 3 * 4 + 1 + 2  # ga, gd, npo: 3 lr x epochs 5/10/15/20; retain_ft; sure x2
    assert counts["unlearn"] == sweep
    assert counts["evaluate"] == sweep + 3  # and the base, fine-tuned and gold models
    assert counts["lm_eval"] == sweep + 3
    assert counts["quantize_evaluate"] == 5 * (sweep + 2)  # trained models only


def test_model_jobs_ask_for_a_gpu_and_the_rest_for_none(seed_scale_plan):
    resources = job_resources(seed_scale_plan.stdout)
    assert set(GPU_RULES) <= set(resources)
    for rule, jobs in resources.items():
        for fields in jobs:
            if rule in GPU_RULES:
                assert (fields["gpu"], fields["mem_mb"], fields["runtime"]) == ("1", "8000", "60")
            else:
                assert "gpu" not in fields, rule


@pytest.mark.parametrize("profile", ["gpu", "slurm"])
def test_the_profiles_give_every_gpu_rule_its_threads(profile):
    settings = yaml.safe_load((ROOT / "profiles" / profile / "config.yaml").read_text())
    model_rules = {*GPU_RULES, *EMBEDDING_GPU_RULES}
    assert model_rules <= set(settings["set-threads"])
    if profile == "slurm":
        assert model_rules <= set(settings["set-resources"])


def test_the_slurm_profile_sets_time_and_memory_per_rule(tmp_path):
    write_config(tmp_path, yaml.safe_load((ROOT / "config.yaml").read_text()))
    result = snakemake(
        tmp_path,
        "-n",
        "--configfile",
        tmp_path / "config.yaml",
        SEED_SCALE,
        "--profile",
        ROOT / "profiles" / "slurm",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    profile = yaml.safe_load((ROOT / "profiles" / "slurm" / "config.yaml").read_text())
    for rule, jobs in job_resources(result.stdout).items():
        wanted = profile["set-resources"].get(rule)
        for fields in jobs:
            assert fields["slurm_partition"] == "gpu"
            if wanted:
                assert fields["runtime"] == str(wanted["runtime"]), rule
                assert fields["mem_mb"] == str(int(wanted["mem_mb"].removesuffix("*attempt")))
            assert ("gpu" in fields) == (rule in GPU_RULES), rule


@pytest.mark.parametrize("profile", ["gpu", "slurm"])
def test_the_profiles_plan_the_default_workflow(tmp_path, profile):
    write_config(tmp_path, yaml.safe_load((ROOT / "config.yaml").read_text()))
    result = snakemake(tmp_path, "-n", "--profile", ROOT / "profiles" / profile)
    assert result.returncode == 0, result.stderr[-2000:]
    assert planned_counts(result)["evaluate"] == 7  # base, fine-tuned, gold, 4 sweep points


def test_the_embedding_tracks_model_jobs_ask_for_a_gpu_and_the_rest_for_none(tmp_path):
    write_config(tmp_path, yaml.safe_load((ROOT / "config.yaml").read_text()))
    targets = ("results/classification_results.json", "results/retrieval_results.json")
    result = snakemake(tmp_path, "-n", *targets)
    assert result.returncode == 0, result.stderr[-2000:]
    resources = job_resources(result.stdout)
    assert set(EMBEDDING_GPU_RULES) <= set(resources)
    for rule, jobs in resources.items():
        for fields in jobs:
            assert ("gpu" in fields) == (rule in EMBEDDING_GPU_RULES), rule
