"""The config's module and layer references, checked against the base model before any
job uses them."""

import pytest
from workflow import planned_jobs, snakemake, tiny_config, write_config

from unlearnflow.model_parts import model_parts, part_problems


def test_the_parts_come_from_the_model_files(tiny_model):
    blocks, modules = model_parts(tiny_model)
    assert blocks == 2
    assert {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"} <= modules


def test_missing_modules_and_layers_name_their_keys(tiny_model):
    references = {
        "modules": {"training.finetune.lora.target_modules": ["q_proj", "qkv_proj"]},
        "layers": {
            "unlearn.rmu.layer": [1, 2],
            "representation.layers": [2, "last", 3],
            "probes.layers": [0, "middle", 4],
        },
    }
    assert part_problems(tiny_model, references) == [
        "config key training.finetune.lora.target_modules: the base model has no module"
        " qkv_proj (its modules with weights: "
        + ", ".join(sorted(model_parts(tiny_model)[1]))
        + ")",
        "config key unlearn.rmu.layer: layer 2 beyond the base model's (0 to 1)",
        "config key representation.layers: layer 3 beyond the base model's (0 to 2)",
        "config key probes.layers: layer 4 beyond the base model's (0 to 2)",
    ]


@pytest.mark.workflow
def test_no_model_job_starts_on_a_layer_the_model_lacks(tmp_path, tiny_model):
    config = tiny_config(base=str(tiny_model))
    config["unlearn"]["rmu"] = {"lr": [1.0e-4], "epochs": [1], "layer": [5], "trained_layers": [1]}
    write_config(tmp_path, config)
    result = snakemake(tmp_path)
    assert result.returncode != 0
    log = (tmp_path / "logs" / "check_model_parts.log").read_text()
    assert "config key unlearn.rmu.layer: layer 5 beyond the base model's (0 to 1)" in log
    ran = result.stdout + result.stderr
    for rule in ("finetune:", "retain_only:", "unlearn:", "reference_states:"):
        assert f"rule {rule}" not in ran, rule
    assert "check_model_parts" in planned_jobs(snakemake(tmp_path, "-n"))
