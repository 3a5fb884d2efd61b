"""The tiny workflow on a real SLURM (make test-slurm): every job that is not a local rule
runs as a SLURM job, model jobs ask for a GPU, and the results equal a local run's."""

import json
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from harness_task import TASK, task_folder
from slurm_cluster import LocalSlurm, missing_programs
from workflow import ROOT, planned_counts, snakemake, tiny_config, write_config

from unlearnflow.plan import GPU_RULES

pytestmark = pytest.mark.slurm

# Rules the Snakefile marks `localrule: True` (aggregation, tables, figures) and `all`.
LOCAL_RULES = {
    "check_model_parts",
    "tofu_eval_logs",
    "sweep_results",
    "quantize_results",
    "repr_results",
    "relearn_results",
    "probe_results",
    "tables",
    "figures",
    "provenance",
    "all",
}
SLURM_PROFILE = ["--profile", str(ROOT / "profiles" / "slurm")]
TEST_CLUSTER = ["--workflow-profile", str(ROOT / "tests" / "slurm-profile")]


def rule_of(job: dict) -> str:
    """The rule of a SLURM job, from the comment the executor plugin gives it
    (`rule_<name>` or `rule_<name>_wildcards_<values>`)."""
    return job["Comment"].removeprefix("rule_").split("_wildcards_")[0]


def without_times(value):
    """A results file's content with every wall time (`*seconds*` keys) left out."""
    if isinstance(value, dict):
        return {k: without_times(v) for k, v in value.items() if "seconds" not in k}
    if isinstance(value, list):
        return [without_times(v) for v in value]
    return value


def results(workdir, name):
    return without_times(json.loads((workdir / "results" / name).read_text()))


def test_the_tiny_workflow_runs_as_slurm_jobs(tmp_path, tiny_model):
    missing = missing_programs()
    assert not missing, f"not installed: {missing} (make test-slurm installs slurm-wlm, munge)"
    local, cluster_run = tmp_path / "local", tmp_path / "slurm"
    config = tiny_config(base=str(tiny_model))
    # replicates and the method registry are the workflow test's: one seed and one
    # method keep it short
    config["seeds"] = [0]
    config["unlearn"] = {"ga": config["unlearn"]["ga"]}
    config["relearning"]["steps"] = [1]
    # a harness task of our own, so that every rule that loads a model runs (offline)
    tasks = str(task_folder(tmp_path / "tasks"))
    config["evaluation"]["lm_eval"] = {"tasks": [TASK], "include_path": tasks}
    offline = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    for workdir in (local, cluster_run):
        workdir.mkdir()
        write_config(workdir, config)

    plan = planned_counts(snakemake(cluster_run, "-n", *SLURM_PROFILE, *TEST_CLUSTER))
    remote = {rule: count for rule, count in plan.items() if rule not in LOCAL_RULES}
    assert set(remote) >= set(GPU_RULES)
    # the local reference runs while the cluster's jobs wait on submission and polling
    with ThreadPoolExecutor(1) as reference, LocalSlurm(tmp_path / "cluster") as cluster:
        local_run = reference.submit(snakemake, local, env={**os.environ, **offline})
        environment = {**cluster.env, **offline}
        result = snakemake(cluster_run, *SLURM_PROFILE, *TEST_CLUSTER, env=environment, timeout=900)
        jobs = cluster.jobs()
    assert local_run.result().returncode == 0, local_run.result().stderr[-3000:]
    assert result.returncode == 0, result.stderr[-3000:]

    # One SLURM job per remote job, each finished with exit status 0; the model jobs
    # asked for a GPU (on the node's two stand-ins) and the overlay's runtime.
    assert Counter(rule_of(job) for job in jobs) == remote
    assert {(job["JobState"], job["ExitCode"]) for job in jobs} == {("COMPLETED", "0:0")}
    for job in jobs:
        if rule_of(job) in GPU_RULES:
            assert (job.get("TresPerJob"), job["TimeLimit"]) == ("gres:gpu:1", "00:10:00")
        else:
            assert "TresPerJob" not in job

    for name in (
        "sweep_results.json",
        "quantize_results.json",
        "repr_results.json",
        "relearn_results.json",
        "probe_results.json",
    ):
        assert results(cluster_run, name) == results(local, name), name
