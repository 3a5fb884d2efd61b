"""The training loop: it learns, stops on divergence, and pads little."""

import contextlib
import random

import pytest
import torch
from conftest import random_llama
from peft import LoraConfig, get_peft_model
from transformers import AutoTokenizer

from unlearnflow.data.encoding import encode_qa
from unlearnflow.scoring import IGNORE, mean_answer_nll
from unlearnflow.train import (
    TrainSettings,
    adapter_precision,
    batch_tokens,
    collate,
    length_grouped_batches,
    train,
)


def lora_model():
    return get_peft_model(random_llama(61), LoraConfig(r=8, target_modules=["q_proj", "v_proj"]))


def examples(count=12, seed=0):
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        prompt = [rng.randrange(1, 61) for _ in range(rng.randint(3, 12))]
        answer = [rng.randrange(1, 61) for _ in range(rng.randint(2, 6))]
        made.append({"input_ids": prompt + answer, "labels": [IGNORE] * len(prompt) + answer})
    return made


def finetune_loss(model, batch, other):
    return mean_answer_nll(model, batch)


def test_fine_tuning_learns_the_answers():
    model, data = lora_model().get_base_model(), examples()
    model.requires_grad_(True)  # every weight: a quick check that the loop learns
    batch = collate(data, pad_id=0)
    before = mean_answer_nll(model, batch).item()
    result = train(
        model,
        finetune_loss,
        data,
        None,
        TrainSettings(learning_rate=1e-2, epochs=30, batch_size=4),
        pad_id=0,
    )
    assert not result.diverged and result.steps == 30 * 3
    assert result.tokens == 30 * sum(len(e["input_ids"]) for e in data)
    with torch.no_grad():
        assert mean_answer_nll(model, batch).item() < 0.3 * before


def adapter_gradients(model, batch, precision):
    """The loss's gradients of the LoRA weights, and the dtypes lora_A layers were fed."""
    fed = set()
    hooks = [
        module.register_forward_hook(lambda _, inputs, __: fed.add(inputs[0].dtype))
        for name, module in model.named_modules()
        if name.endswith("lora_A.default")
    ]
    autocast, adapters_in_model_dtype = precision
    model.zero_grad()
    with adapters_in_model_dtype:
        with autocast:
            loss = mean_answer_nll(model, batch)
        loss.backward()
    for hook in hooks:
        hook.remove()
    grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad}
    return grads, fed


def test_a_bfloat16_model_trains_its_float32_adapter_in_mixed_precision():
    """The adapters' products run in bf16 (no float32 copy of each layer's input), their
    weights and gradients stay float32, and the gradients agree with peft's own casting
    to bf16 precision."""
    torch.manual_seed(0)
    config = LoraConfig(r=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    model = get_peft_model(random_llama(61).to(torch.bfloat16), config)
    batch = collate(examples(), pad_id=0)
    precision = adapter_precision(model, torch.device("cpu"))
    plain, fed_plain = adapter_gradients(model, batch, (contextlib.nullcontext(),) * 2)
    mixed, fed_mixed = adapter_gradients(model, batch, precision)
    assert fed_plain == {torch.float32} and fed_mixed == {torch.bfloat16}
    for name, grad in mixed.items():
        assert grad.dtype == torch.float32
        assert torch.allclose(grad, plain[name], rtol=0.05, atol=0.02 * plain[name].abs().max())


def test_float32_models_train_without_autocast():
    autocast, casting = adapter_precision(lora_model(), torch.device("cpu"))
    assert isinstance(autocast, contextlib.nullcontext)
    assert isinstance(casting, contextlib.nullcontext)


@pytest.mark.parametrize("schedule", ["constant", "linear"])
def test_learning_rate_schedule(schedule):
    settings = TrainSettings(learning_rate=1e-3, epochs=2, batch_size=4, lr_schedule=schedule)
    result = train(lora_model(), finetune_loss, examples(), None, settings, pad_id=0)
    steps = 2 * 3
    expected = [1e-3 * (1 - step / steps if schedule == "linear" else 1) for step in range(steps)]
    assert result.learning_rates == pytest.approx(expected)


def test_divergence_stops_and_reports_the_step():
    model, data = lora_model(), examples()
    calls = []

    def exploding(model, batch, other):
        calls.append(1)
        loss = mean_answer_nll(model, batch)
        return loss * float("nan") if len(calls) == 3 else loss

    result = train(
        model,
        exploding,
        data,
        data,
        TrainSettings(learning_rate=1e-3, epochs=5, batch_size=4),
        pad_id=0,
    )
    assert result.diverged and result.diverged_step == 3 and len(result.losses) == 2


def test_length_grouping_pads_less_than_random_batches():
    data = examples(count=64, seed=1)
    grouped = length_grouped_batches(data, 8, random.Random(0), pad_id=0)
    shuffled = list(data)
    random.Random(0).shuffle(shuffled)
    plain = [collate(shuffled[i : i + 8], 0) for i in range(0, 64, 8)]

    def padding(batches):
        return sum(int((b["attention_mask"] == 0).sum()) for b in batches)

    assert padding(grouped) < 0.5 * padding(plain)
    assert sorted(int(b["attention_mask"].sum()) for b in grouped) != []
    assert sum(int(b["attention_mask"].sum()) for b in grouped) == sum(
        len(e["input_ids"]) for e in data
    )


def test_collate_masks_padding():
    batch = collate(
        [{"input_ids": [5, 6, 7], "labels": [IGNORE, 6, 7]}, {"input_ids": [8], "labels": [8]}],
        pad_id=0,
    )
    assert batch["input_ids"].tolist() == [[5, 6, 7], [8, 0, 0]]
    assert batch["labels"].tolist() == [[IGNORE, 6, 7], [8, IGNORE, IGNORE]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 0, 0]]
    assert batch_tokens(batch) == 4


@pytest.mark.parametrize("system_prompt", [None, "Answer briefly."])
def test_encode_qa_masks_all_but_the_answer(tiny_model, system_prompt):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    example = encode_qa(tokenizer, "Where was Ada born?", "Ada was born in Lund.", system_prompt)
    answer = [
        t
        for t, label in zip(example["input_ids"], example["labels"], strict=True)
        if label != IGNORE
    ]
    assert tokenizer.decode(answer) == "Ada was born in Lund." + tokenizer.eos_token
    prompt = tokenizer.decode(example["input_ids"][: len(example["input_ids"]) - len(answer)])
    assert prompt.endswith("assistant\n") and "Where was Ada born?" in prompt
    assert ("Answer briefly." in prompt) == (system_prompt is not None)
