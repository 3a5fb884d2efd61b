"""The one training loop: fine-tuning and every unlearning method.

A loss function of (model, primary batch, secondary batch or None) drives it:
fine-tuning passes the answer NLL over its data; an unlearning method passes its
loss over forget (primary) and retain (secondary) batches. Batches are grouped by
length so that little is padded; a NaN or infinite loss stops the run and is
reported as diverged, with the step.

Every row carries its whole prompt, the chat header included: running the header once
per batch and continuing every row from its KV cache measured slower (docs/design.md).
"""

from __future__ import annotations

import contextlib
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import cycle

import torch
from torch.nn.attention import SDPBackend, sdpa_kernel

from .scoring import IGNORE

LossFunction = Callable[[torch.nn.Module, dict, "dict | None"], torch.Tensor]


@dataclass(frozen=True)
class TrainSettings:
    learning_rate: float
    epochs: int
    batch_size: int
    max_grad_norm: float = 1.0
    weight_decay: float = 0.0
    lr_schedule: str = "constant"  # or "linear": decays linearly towards zero over the run
    seed: int = 0
    max_steps: int | None = None  # stop after this many steps, within the epochs


@dataclass
class TrainResult:
    steps: int = 0
    tokens: int = 0  # non-padding tokens seen
    seconds: float = 0.0
    losses: list[float] = field(default_factory=list)
    learning_rates: list[float] = field(default_factory=list)
    diverged: bool = False
    diverged_step: int | None = None


def collate(examples: list[dict], pad_id: int) -> dict:
    """Right-padded tensors; padding is masked out of attention and labels. Examples
    that carry an `alternate` example (another answer to the same question) give the
    batch an `alternate` batch, row for row."""
    length = max(len(example["input_ids"]) for example in examples)
    input_ids = torch.full((len(examples), length), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), length), IGNORE, dtype=torch.long)
    attention_mask = torch.zeros((len(examples), length), dtype=torch.long)
    for row, example in enumerate(examples):
        size = len(example["input_ids"])
        input_ids[row, :size] = torch.tensor(example["input_ids"])
        labels[row, :size] = torch.tensor(example["labels"])
        attention_mask[row, :size] = 1
    batch = {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
    if "alternate" in examples[0]:
        batch["alternate"] = collate([example["alternate"] for example in examples], pad_id)
    return batch


def to_device(batch: dict, device: torch.device) -> dict:
    return {
        name: to_device(value, device)
        if isinstance(value, dict)
        else value.to(device, non_blocking=True)
        for name, value in batch.items()
    }


def batch_tokens(batch: dict) -> int:
    """The tokens a batch holds, its alternate included."""
    tokens = int(batch["attention_mask"].sum())
    return tokens + (batch_tokens(batch["alternate"]) if "alternate" in batch else 0)


def length_grouped_batches(
    examples: list[dict],
    batch_size: int,
    rng: random.Random,
    pad_id: int,
    window: int = 8,
) -> list[dict]:
    """Shuffle, sort by length within windows of `window` batches, cut, shuffle the
    batches, collate each."""
    order = list(range(len(examples)))
    rng.shuffle(order)
    span = batch_size * window
    order = [
        index
        for start in range(0, len(order), span)
        for index in sorted(
            order[start : start + span], key=lambda i: len(examples[i]["input_ids"])
        )
    ]
    batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return [collate([examples[i] for i in batch], pad_id) for batch in batches]


def train(
    model: torch.nn.Module,
    loss_function: LossFunction,
    primary: list[dict],
    secondary: list[dict] | None,
    settings: TrainSettings,
    pad_id: int,
    after_step: Callable[[int], None] | None = None,
) -> TrainResult:
    """Train the model's trainable parameters for `settings.epochs` passes over `primary`
    (at most `settings.max_steps` steps); `after_step(steps)` runs after every step."""
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        parameters, lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    total_steps = settings.epochs * math.ceil(len(primary) / settings.batch_size)
    if settings.max_steps is not None:
        total_steps = min(total_steps, settings.max_steps)
    end_factor = {"constant": 1.0, "linear": 0.0}[settings.lr_schedule]
    schedule = torch.optim.lr_scheduler.LinearLR(
        optimizer, start_factor=1.0, end_factor=end_factor, total_iters=total_steps
    )
    device = next(model.parameters()).device
    result = TrainResult()
    start = time.perf_counter()
    model.train()
    autocast, adapters_in_model_dtype = adapter_precision(model, device)
    with attention_backends(device), adapters_in_model_dtype:
        for batch, other in _batches(primary, secondary, settings, rng, pad_id):
            batch = to_device(batch, device)
            other = to_device(other, device) if other is not None else None
            with autocast:
                loss = loss_function(model, batch, other)
            result.steps += 1
            if not math.isfinite(loss.item()):
                result.diverged, result.diverged_step = True, result.steps
                break
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, settings.max_grad_norm)
            optimizer.step()
            result.learning_rates.append(schedule.get_last_lr()[0])
            schedule.step()
            result.losses.append(loss.item())
            result.tokens += batch_tokens(batch) + (batch_tokens(other) if other else 0)
            if after_step is not None:
                with autocast:  # a bfloat16 model's float32 adapters need it to run at all
                    after_step(result.steps)
            if result.steps == settings.max_steps:
                break
    model.eval()
    result.seconds = time.perf_counter() - start
    return result


def adapter_precision(model, device: torch.device):
    """(autocast, peft's input casting turned off) for a bfloat16 model whose trained
    weights (LoRA adapters, which peft keeps in float32) are float32; else two no-ops.

    Mixed precision (Micikevicius et al. 2018, "Mixed Precision Training"): the
    adapters' products run in bfloat16 while their weights, gradients and optimizer
    state stay float32. Without it peft casts every adapted layer's input to float32
    and its output back, a copy per layer and pass (slower: docs/design.md).
    """
    frozen = {p.dtype for p in model.parameters() if not p.requires_grad}
    trained = {p.dtype for p in model.parameters() if p.requires_grad}
    if frozen != {torch.bfloat16} or trained != {torch.float32}:
        return contextlib.nullcontext(), contextlib.nullcontext()
    from peft.helpers import disable_input_dtype_casting

    return torch.autocast(device.type, dtype=torch.bfloat16), disable_input_dtype_casting(model)


def _batches(primary, secondary, settings: TrainSettings, rng: random.Random, pad_id: int):
    """(primary batch, secondary batch or None) for every step of every epoch."""
    size = settings.batch_size
    for _ in range(settings.epochs):
        batches = length_grouped_batches(primary, size, rng, pad_id)
        if not secondary:
            yield from ((batch, None) for batch in batches)
            continue
        others = cycle(length_grouped_batches(secondary, size, rng, pad_id))
        yield from zip(batches, others, strict=False)  # others cycle without end


def attention_backends(device: torch.device):
    """The SDPA backends training runs on: on a GPU any but cuDNN's, which builds a plan
    for every new shape (batches vary in length); on a CPU the plain math backend, faster
    than PyTorch's CPU flash attention on short QA rows (docs/design.md)."""
    if device.type == "cpu":
        return sdpa_kernel([SDPBackend.MATH])
    return sdpa_kernel(
        [SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH]
    )
