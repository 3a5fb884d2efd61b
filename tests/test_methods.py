"""Each method's loss against its formula, computed here from a plain full forward pass."""

import pytest
import torch
import torch.nn.functional as F
from conftest import random_llama
from peft import LoraConfig, get_peft_model

from unlearnflow.methods import METHODS, describe_methods, make_method
from unlearnflow.methods.base import adapter_disabled
from unlearnflow.scoring import mean_answer_nll, sequence_nll


@pytest.fixture
def model():
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"])
    peft_model = get_peft_model(random_llama(97), lora)
    with torch.no_grad():  # a trained adapter: the model now differs from its reference
        for name, parameter in peft_model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 0.5)
    return peft_model


def make_batch(seed):
    generator = torch.Generator().manual_seed(seed)
    input_ids = torch.randint(0, 97, (3, 9), generator=generator)
    attention_mask = torch.ones_like(input_ids)
    attention_mask[2, 6:] = 0  # right padding
    labels = input_ids.clone()
    labels[:, :4] = -100  # the question
    labels[attention_mask == 0] = -100
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}


def per_sequence_nll(model, batch):
    """Summed NLL and answer-token count per sequence, from full logits."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    logprobs = F.log_softmax(logits[:, :-1].float(), dim=-1)
    targets = batch["labels"][:, 1:]
    mask = targets != -100
    picked = logprobs.gather(-1, targets.clamp(min=0)[..., None])[..., 0]
    return -(picked * mask).sum(-1), mask.sum(-1)


def token_mean_nll(model, batch):
    total, count = per_sequence_nll(model, batch)
    return total.sum() / count.sum()


def test_scoring_equals_full_forward(model):
    batch = make_batch(1)
    total, count = per_sequence_nll(model, batch)
    assert torch.allclose(sequence_nll(model, batch, "sum"), total, atol=1e-5)
    assert torch.allclose(sequence_nll(model, batch, "mean"), total / count, atol=1e-5)
    assert torch.allclose(mean_answer_nll(model, batch), total.sum() / count.sum(), atol=1e-5)


def test_ga_gd_retain_ft(model):
    forget, retain = make_batch(1), make_batch(2)
    reference = adapter_disabled(model)
    nll_f, nll_r = token_mean_nll(model, forget), token_mean_nll(model, retain)
    assert torch.allclose(
        make_method("ga").loss(model, forget, retain, reference), -nll_f, atol=1e-5
    )
    assert torch.allclose(
        make_method("gd", retain_weight=0.5).loss(model, forget, retain, reference),
        -nll_f + 0.5 * nll_r,
        atol=1e-5,
    )
    assert torch.allclose(
        make_method("retain_ft").loss(model, forget, retain, reference), nll_r, atol=1e-5
    )


@pytest.mark.parametrize("retain_weight", [0.0, 2.0])
def test_npo_against_its_formula(model, retain_weight):
    forget, retain = make_batch(1), make_batch(2)
    beta = 0.3
    log_pi, _ = per_sequence_nll(model, forget)
    with model.disable_adapter():
        log_ref, _ = per_sequence_nll(model, forget)
    log_ratio = -log_pi + log_ref  # log pi_theta - log pi_ref, summed over answer tokens
    assert log_ratio.abs().min() > 1e-3  # the adapter matters
    expected = -(2 / beta) * torch.log(torch.sigmoid(-beta * log_ratio)).mean()
    expected = expected + retain_weight * token_mean_nll(model, retain)
    method = make_method("npo", beta=beta, retain_weight=retain_weight)
    loss = method.loss(model, forget, retain, adapter_disabled(model))
    assert torch.allclose(loss, expected, atol=1e-5)
    loss.backward()
    lora_grads = [p.grad for n, p in model.named_parameters() if "lora_" in n]
    assert all(g is not None for g in lora_grads) and any(g.abs().sum() > 0 for g in lora_grads)


def test_registry_and_errors():
    assert set(METHODS) >= {"ga", "gd", "npo", "retain_ft"}
    assert {m["name"]: m["hyperparameters"] for m in describe_methods()}["npo"] == {
        "beta": 0.1,
        "retain_weight": 0.0,
    }
    with pytest.raises(ValueError, match="unknown unlearning method 'gaa'; known: ga, gd"):
        make_method("gaa")
    with pytest.raises(ValueError, match="method 'npo' has no hyperparameter lam; it has: beta"):
        make_method("npo", lam=1)


def test_methods_command_table_and_json():
    import json
    import subprocess
    import sys
    from pathlib import Path

    command = str(Path(sys.executable).parent / "unlearnflow")
    table = subprocess.run([command, "methods"], capture_output=True, text=True, check=True)
    lines = table.stdout.splitlines()
    assert lines[0].split()[:2] == ["method", "paper"]
    assert any(line.startswith("npo") and "beta=0.1" in line for line in lines)
    listed = json.loads(
        subprocess.run(
            [command, "methods", "--json"], capture_output=True, text=True, check=True
        ).stdout
    )
    assert [m["name"] for m in listed] == list(METHODS)
