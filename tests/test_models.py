"""Base models: local folder, hub id (offline here), the embedded SmolLM2 GGUF; seeded adapters."""

import time

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from unlearnflow.models import (
    ModelSourceError,
    embedded_gguf,
    load_stack,
    prepare_base_model,
    trainable,
)


def logits(folder_or_model, tokenizer, text="Maureen Blake was born in Lund."):
    model = (
        AutoModelForCausalLM.from_pretrained(folder_or_model, dtype=torch.float32)
        if not isinstance(folder_or_model, torch.nn.Module)
        else folder_or_model
    )
    with torch.no_grad():
        return model(**tokenizer(text, return_tensors="pt")).logits


def test_local_folder_round_trips(tiny_model, tmp_path):
    prepare_base_model(str(tiny_model), tmp_path / "base")
    assert (tmp_path / "base" / "model.safetensors").exists()
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "base")
    assert torch.equal(logits(tiny_model, tokenizer), logits(tmp_path / "base", tokenizer))


def test_unreachable_hub_id_fails_fast(tmp_path):
    start = time.monotonic()
    with pytest.raises(
        ModelSourceError, match="model.base: 'Qwen/Qwen2.5-1.5B-Instruct' is neither"
    ):
        prepare_base_model("Qwen/Qwen2.5-1.5B-Instruct", tmp_path / "base")
    assert time.monotonic() - start < 20
    assert not (tmp_path / "base").exists()


def test_unknown_embedded_model(tmp_path):
    with pytest.raises(ModelSourceError, match="unknown embedded model 'gpt-5'"):
        prepare_base_model("embedded:gpt-5", tmp_path / "base")


def test_embedded_smollm2_is_dequantized_to_a_plain_float32_model(smollm2):
    """The saved plain model computes exactly what transformers' GGUF loader computes."""
    folder, file = embedded_gguf("smollm2-135m-instruct")
    tokenizer = AutoTokenizer.from_pretrained(smollm2)
    reference = AutoModelForCausalLM.from_pretrained(folder, gguf_file=file, dtype=torch.float32)
    saved = AutoModelForCausalLM.from_pretrained(smollm2)
    assert saved.dtype == torch.float32 and not hasattr(saved.config, "quantization_config")
    assert sum(p.numel() for p in saved.parameters()) == 134_515_008
    assert torch.allclose(logits(reference, tokenizer), logits(saved, tokenizer), atol=1e-5)


def test_a_fresh_adapter_is_drawn_from_the_seed(tiny_model):
    """Runs of one config train the same model: LoRA's random init follows the seed, not
    whatever the process drew before."""
    training = {"full": False, "lora": {"rank": 4, "alpha": 8, "target_modules": ["q_proj"]}}

    def adapter(seed):
        torch.rand(7)  # the global generator is wherever earlier code left it
        model = trainable(load_stack(tiny_model), training, seed)
        return {k: v for k, v in model.state_dict().items() if "lora_A" in k}

    first, again, other = adapter(1), adapter(1), adapter(2)
    assert first and all(torch.equal(first[k], again[k]) for k in first)
    assert not all(torch.equal(first[k], other[k]) for k in first)


def test_bfloat16_models_train_their_adapter_in_float32(tiny_model):
    """model.precision bfloat16: frozen weights in bf16, the LoRA adapter kept in float32
    (peft's autocast_adapter_dtype) so that its small updates are not rounded away."""
    from unlearnflow.data.encoding import encode_qa
    from unlearnflow.scoring import mean_answer_nll
    from unlearnflow.train import TrainSettings, train

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    training = {"full": False, "lora": {"rank": 4, "alpha": 8, "target_modules": ["q_proj"]}}
    model = trainable(load_stack(tiny_model, precision="bfloat16"), training, seed=0)
    dtypes = {
        ("adapter" if "lora_" in name else "frozen"): p.dtype
        for name, p in model.named_parameters()
    }
    assert dtypes == {"adapter": torch.float32, "frozen": torch.bfloat16}
    example = encode_qa(tokenizer, "Where was Maureen Blake born?", "In Lund.", "")
    result = train(
        model,
        lambda m, batch, _: mean_answer_nll(m, batch),
        [example] * 4,
        None,
        TrainSettings(learning_rate=1e-2, epochs=3, batch_size=2),
        pad_id=tokenizer.pad_token_id,
    )
    assert not result.diverged and result.losses[-1] < result.losses[0]


def test_an_unknown_precision_names_the_key(tiny_model):
    with pytest.raises(ValueError, match="model.precision: 'float16' is not one of"):
        load_stack(tiny_model, precision="float16")
