"""Each method's loss against its formula, computed here from a plain full forward pass."""

import pytest
import torch
import torch.nn.functional as F
from conftest import random_llama
from peft import LoraConfig, get_peft_model

from unlearnflow.methods import METHODS, describe_methods, make_method
from unlearnflow.methods.base import adapter_disabled, no_reference
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


def answer_token_logprobs_full(model, batch):
    """log p of every answer token (flattened, row by row) and the full logits there."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    targets = batch["labels"][:, 1:]
    mask = targets != -100
    answer_logits = logits[:, :-1][mask].float()
    logprobs = F.log_softmax(answer_logits, dim=-1).gather(-1, targets[mask][:, None])[:, 0]
    return logprobs, answer_logits, targets[mask]


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


@pytest.mark.parametrize("beta, gamma, retain_weight", [(1.0, 0.0, 1.0), (2.5, 0.5, 0.0)])
def test_simnpo_against_its_formula(model, beta, gamma, retain_weight):
    forget, retain = make_batch(1), make_batch(2)
    total, count = per_sequence_nll(model, forget)
    expected = -(2 / beta) * torch.log(torch.sigmoid(beta * total / count - gamma)).mean()
    expected = expected + retain_weight * token_mean_nll(model, retain)
    method = make_method("simnpo", beta=beta, gamma=gamma, retain_weight=retain_weight)
    loss = method.loss(model, forget, retain, adapter_disabled(model))
    assert torch.allclose(loss, expected, atol=1e-5)


@pytest.mark.parametrize("beta", [0.0, 1.0, 3.0])
def test_wga_weights_each_token_by_its_probability(model, beta):
    forget, retain = make_batch(1), make_batch(2)
    logprobs, _, _ = answer_token_logprobs_full(model, forget)
    probabilities = logprobs.exp()
    expected = sum(p**beta * lp for p, lp in zip(probabilities.tolist(), logprobs, strict=True))
    expected = expected / len(logprobs) + token_mean_nll(model, retain)
    loss = make_method("wga", beta=beta).loss(model, forget, retain, adapter_disabled(model))
    assert torch.allclose(loss, expected, atol=1e-5)
    if beta == 0.0:  # unweighted: plain gradient ascent plus the retain term
        ga = make_method("gd").loss(model, forget, retain, adapter_disabled(model))
        assert torch.allclose(loss, ga, atol=1e-5)


def test_wga_and_satimp_weights_carry_no_gradient(model):
    """The weight multiplies the token's log-likelihood gradient; it is not itself
    optimised: d/dθ [w · log p] = w · d log p/dθ with w held constant."""
    forget, retain = make_batch(1), make_batch(2)
    method = make_method("wga", beta=2.0, retain_weight=0.0)
    method.loss(model, forget, retain, adapter_disabled(model)).backward()
    got = [p.grad.clone() for n, p in model.named_parameters() if "lora_" in n]
    model.zero_grad()
    logprobs, _, _ = answer_token_logprobs_full(model, forget)
    (logprobs.detach().exp() ** 2 * logprobs).mean().backward()
    wanted = [p.grad for n, p in model.named_parameters() if "lora_" in n]
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(got, wanted, strict=True))


def test_satimp_against_its_formula(model):
    forget, retain = make_batch(1), make_batch(2)
    beta1, beta2, forget_weight, retain_weight = 2.0, 1.5, 0.1, 0.5
    logprobs, _, _ = answer_token_logprobs_full(model, forget)
    terms = [
        p**beta1 * (1 - p) ** beta2 * lp
        for p, lp in zip(logprobs.exp().tolist(), logprobs, strict=True)
    ]
    expected = forget_weight * sum(terms) / len(terms)
    expected = expected + retain_weight * token_mean_nll(model, retain)
    method = make_method(
        "satimp", beta1=beta1, beta2=beta2, forget_weight=forget_weight, retain_weight=retain_weight
    )
    assert torch.allclose(
        method.loss(model, forget, retain, adapter_disabled(model)), expected, atol=1e-5
    )


@pytest.mark.parametrize("beta, retain_weight", [(10.0, 0.0), (3.0, 1.0)])
def test_undial_distils_the_reference_with_the_answer_logit_lowered(model, beta, retain_weight):
    forget, retain = make_batch(1), make_batch(2)
    _, logits, targets = answer_token_logprobs_full(model, forget)
    with torch.no_grad(), model.disable_adapter():
        _, teacher, _ = answer_token_logprobs_full(model, forget)
    expected = 0.0
    for student_row, teacher_row, target in zip(logits, teacher, targets.tolist(), strict=True):
        lowered = teacher_row.clone()
        lowered[target] = lowered[target] - beta
        soft = torch.softmax(lowered, -1)
        expected = expected - (soft * torch.log_softmax(student_row, -1)).sum()
    expected = expected / len(targets) + retain_weight * token_mean_nll(model, retain)
    method = make_method("undial", beta=beta, retain_weight=retain_weight)
    loss = method.loss(model, forget, retain, adapter_disabled(model))
    assert torch.allclose(loss, expected, atol=1e-5)
    with pytest.raises(ValueError, match="needs a reference model"):
        method.loss(model, forget, retain, no_reference)


def test_task_vector_descends_then_negates_its_delta(model):
    import copy

    forget, retain = make_batch(1), make_batch(2)
    method = make_method("task_vector", alpha=0.5)
    loss = method.loss(model, forget, retain, adapter_disabled(model))
    assert torch.allclose(loss, token_mean_nll(model, forget), atol=1e-5)  # plain descent

    def merged_q(peft_model):
        return copy.deepcopy(peft_model).merge_and_unload().model.layers[0].self_attn.q_proj.weight

    with model.disable_adapter():
        finetuned = model.model.model.layers[0].self_attn.q_proj.weight.detach().clone()
    task_vector = merged_q(model) - finetuned
    assert task_vector.abs().max() > 1e-3
    method.finish(model)
    assert torch.allclose(merged_q(model), finetuned - 0.5 * task_vector, atol=1e-6)


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
