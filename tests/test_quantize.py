"""Quantization: round-to-nearest error bounds, bitsandbytes on a tiny model, merged weights,
and the knowledge-recovery ratio."""

import math

import pytest
import torch
from conftest import random_llama

from unlearnflow.plan import SCHEMES
from unlearnflow.quantize import quantize, quantized_linears, rtn_int4, rtn_int8
from unlearnflow.quantize_results import knowledge_recovery


@pytest.mark.parametrize("shape", [(8, 64), (33, 100), (1, 7)])
def test_rtn_int8_is_within_half_a_step_of_each_weight(shape):
    torch.manual_seed(0)
    weight = torch.randn(shape) * torch.rand(shape[0], 1) * 3
    rounded = rtn_int8(weight)
    step = weight.abs().amax(dim=1, keepdim=True) / 127
    assert ((rounded - weight).abs() <= step / 2 + 1e-6).all()
    assert (rounded / step).sub((rounded / step).round()).abs().max() < 1e-3  # on the grid
    assert torch.equal(rounded.abs().amax(dim=1), weight.abs().amax(dim=1))


@pytest.mark.parametrize("shape, group_size", [((8, 64), 16), ((5, 100), 32), ((3, 10), 64)])
def test_rtn_int4_is_within_half_a_step_in_every_group(shape, group_size):
    torch.manual_seed(1)
    weight = torch.randn(shape) + torch.linspace(-2, 2, shape[1])
    rounded = rtn_int4(weight, group_size)
    assert rounded.shape == weight.shape
    for start in range(0, shape[1], group_size):
        group, after = weight[:, start : start + group_size], rounded[:, start : start + group_size]
        step = (group.amax(dim=1) - group.amin(dim=1)) / 15
        assert ((after - group).abs() <= step[:, None] / 2 + 1e-5).all()
        for row in after:
            assert len(row.unique()) <= 16


def test_rtn_int4_error_grows_with_the_group():
    torch.manual_seed(2)
    weight = torch.randn(64, 256)
    errors = [(rtn_int4(weight, size) - weight).square().mean() for size in (16, 64, 256)]
    assert errors[0] < errors[1] < errors[2]
    assert (rtn_int8(weight) - weight).square().mean() < errors[0]


@pytest.mark.parametrize("scheme", ["rtn-int8", "rtn-int4"])
def test_rtn_changes_every_block_linear_and_not_the_embeddings(scheme):
    model = random_llama(vocab_size=128, hidden_size=64)
    before = {name: p.clone() for name, p in model.named_parameters()}
    quantize(model, scheme, group_size=16)
    changed = {name for name, p in model.named_parameters() if not torch.equal(p, before[name])}
    linears = quantized_linears(model)
    linear_weights = {f"{name}.weight" for name, m in model.named_modules() if m in linears}
    assert len(linear_weights) == 2 * 7  # q, k, v, o, gate, up, down in each of 2 layers
    assert changed == linear_weights
    assert "model.embed_tokens.weight" not in changed


@pytest.mark.parametrize("scheme", [s for s in SCHEMES if s.startswith("bnb-")])
def test_bitsandbytes_schemes_run_a_tiny_model(scheme):
    import bitsandbytes as bnb

    model = random_llama(vocab_size=128, hidden_size=64).eval()
    ids = torch.randint(0, 128, (2, 12))
    with torch.no_grad():
        reference = model(ids).logits
        quantized = quantize(model, scheme, group_size=64).eval()
        logits = quantized(ids).logits
    kinds = {type(m) for m in quantized.modules()}
    assert (bnb.nn.Linear8bitLt if scheme == "bnb-int8" else bnb.nn.Linear4bit) in kinds
    assert type(quantized.get_output_embeddings()) is torch.nn.Linear
    assert not torch.equal(logits, reference)
    relative = (logits - reference).norm() / reference.norm()
    assert relative < (0.05 if scheme == "bnb-int8" else 0.3)


def test_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="rtn-int3"):
        quantize(random_llama(vocab_size=16), "rtn-int3", group_size=16)


def test_merged_weights_give_the_adapter_models_logits(tiny_model, tmp_path):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from unlearnflow.models import load_stack

    torch.manual_seed(3)
    adapted = get_peft_model(
        AutoModelForCausalLM.from_pretrained(tiny_model),
        LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj"]),
    )
    for name, parameter in adapted.named_parameters():
        if "lora_B" in name:  # peft starts B at zero: give the adapter a real delta
            torch.nn.init.normal_(parameter, std=0.05)
    adapted.save_pretrained(tmp_path / "adapter")
    ids = torch.randint(0, 1000, (2, 10))
    with torch.no_grad():
        expected = adapted.eval()(ids).logits
        base = AutoModelForCausalLM.from_pretrained(tiny_model).eval()(ids).logits
        merged = load_stack(tiny_model, [tmp_path / "adapter"]).eval()(ids).logits
    assert (expected - base).abs().max() > 1e-3
    torch.testing.assert_close(merged, expected, rtol=1e-4, atol=1e-5)


def test_knowledge_recovery_is_the_share_of_the_drop_undone():
    assert knowledge_recovery(finetuned=0.9, unlearned=0.1, quantized=0.5) == pytest.approx(0.5)
    assert knowledge_recovery(0.9, 0.1, 0.1) == 0
    assert knowledge_recovery(0.9, 0.1, 0.9) == pytest.approx(1)
    assert knowledge_recovery(0.9, 0.1, 0.0) < 0  # quantization forgot more
    assert math.isnan(knowledge_recovery(0.9, 0.88, 0.5))  # nothing was unlearned


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_scheme_quantizes_a_bfloat16_model(tiny_model, scheme):
    from unlearnflow.models import load_stack

    model = load_stack(tiny_model, precision="bfloat16").eval()
    ids = torch.randint(0, 1000, (2, 8))
    with torch.no_grad():
        before = model(ids).logits.float()
        if scheme.startswith("rtn"):
            weight = quantized_linears(model)[0].weight.detach().float().clone()
        quantized = quantize(model, scheme, group_size=16).eval()
        after = quantized(ids).logits.float()
    assert quantized.dtype == torch.bfloat16 and torch.isfinite(after).all()
    assert (after - before).abs().max() > 0  # rounded
    if scheme == "rtn-int8":
        layer = quantized_linears(quantized)[0].weight
        assert torch.equal(layer, rtn_int8(weight).to(torch.bfloat16))
