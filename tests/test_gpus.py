"""Each job sees only the GPUs it claimed: checked without a GPU, on a pool named by
CUDA_VISIBLE_DEVICES, with the real Snakemake scheduling jobs that ask for `gpu=1`."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from workflow import SNAKEMAKE

from unlearnflow.gpus import claimed_gpus

JOB_SCRIPT = """
import json, os, time
from unlearnflow.job import model_job

with model_job(snakemake):
    start = time.time()
    time.sleep(1.0)
    record = {"devices": os.environ["CUDA_VISIBLE_DEVICES"], "start": start, "end": time.time()}
    open(snakemake.output[0], "w").write(json.dumps(record))
"""

SNAKEFILE = """
rule all:
    input:
        expand("out/{n}.json", n=range(6)),


rule model_job:
    output:
        "out/{n}.json",
    log:
        "logs/{n}.log",
    resources:
        gpu=1,
    script:
        "job.py"
"""


def test_concurrent_jobs_never_share_a_device(tmp_path):
    (tmp_path / "Snakefile").write_text(textwrap.dedent(SNAKEFILE))
    (tmp_path / "job.py").write_text(textwrap.dedent(JOB_SCRIPT))
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "3,5"}  # the machine's pool of two
    command = [str(SNAKEMAKE), "--cores", "4", "--resources", "gpu=2", "--directory", tmp_path]
    result = subprocess.run(
        [*command, "--snakefile", tmp_path / "Snakefile"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    jobs = [json.loads((tmp_path / "out" / f"{n}.json").read_text()) for n in range(6)]
    assert {job["devices"] for job in jobs} == {"3", "5"}  # one device each, both used
    for first in jobs:
        for second in jobs:
            overlap = first["start"] < second["end"] and second["start"] < first["end"]
            if first is not second and overlap:
                assert first["devices"] != second["devices"]
    assert any(
        a["start"] < b["end"] and b["start"] < a["end"] for a in jobs for b in jobs if a is not b
    ), "two jobs should have run side by side"


def test_a_claim_holds_its_device_until_released(tmp_path, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    claim = [
        sys.executable,
        "-c",
        "from pathlib import Path\nfrom unlearnflow.gpus import claimed_gpus\n"
        f"with claimed_gpus(1, Path({str(tmp_path)!r}), wait_s=0.5) as d: print(d)",
    ]
    with claimed_gpus(1, lock_folder=tmp_path) as mine:
        assert mine == ["0"] and os.environ["CUDA_VISIBLE_DEVICES"] == "0"
        other = subprocess.run(
            claim, capture_output=True, text=True, env=os.environ | {"CUDA_VISIBLE_DEVICES": "0,1"}
        )
        assert other.stdout.strip() == "['1']"
    with claimed_gpus(2, lock_folder=tmp_path) as both:
        assert both == ["0", "1"]
        busy = subprocess.run(
            claim, capture_output=True, text=True, env=os.environ | {"CUDA_VISIBLE_DEVICES": "0,1"}
        )
        assert busy.returncode != 0 and "no free GPU in ['0', '1']" in busy.stderr


def test_asking_for_more_gpus_than_the_pool_fails_clearly(tmp_path, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    too_many = pytest.raises(RuntimeError, match=r"asks for 2 GPUs .*resource gpu.*offers 1")
    with too_many, claimed_gpus(2, lock_folder=tmp_path):
        pass


def test_slurm_jobs_keep_the_devices_slurm_gave_them(tmp_path, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2")
    monkeypatch.setenv("SLURM_JOB_ID", "7")
    with claimed_gpus(1, lock_folder=tmp_path) as devices:
        assert devices == [] and os.environ["CUDA_VISIBLE_DEVICES"] == "2"
    assert not list(tmp_path.iterdir())


def test_a_machine_without_gpus_runs_the_job_on_its_cpu(tmp_path, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    with claimed_gpus(1, lock_folder=tmp_path) as devices:
        assert devices == []
