"""One point of an unlearning sweep: a method with its hyperparameters, from the fine-tuned model.

The fine-tuned adapter is merged into the base weights; a fresh LoRA adapter then
trains on the method's loss, and the reference model is the same weights with that
adapter disabled. Every method takes the same steps: `epochs` passes over the forget
set, each forget batch paired with the next retain batch (TOFU's forget-retain
pairing), so retain-only baselines train as long as the others. A run whose loss
turns NaN or infinite stops and is recorded as diverged; the sweep carries on.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .finetune import qa_examples
from .jsonl import write_json
from .methods import make_method
from .methods.base import adapter_disabled
from .models import load_stack, trainable
from .train import TrainSettings, train

log = logging.getLogger(__name__)
TRAINING_KEYS = ("lr", "epochs")


def unlearn(
    base: Path,
    finetuned: Path,
    forget: Path,
    retain: Path,
    method: str,
    hparams: dict,
    training: dict,
    system_prompt: str | None,
    seed: int,
    output: Path,
    train_log: Path,
    precision: str = "float32",
) -> None:
    from transformers import AutoTokenizer

    unlearning = make_method(method, **{k: v for k, v in hparams.items() if k not in TRAINING_KEYS})
    tokenizer = AutoTokenizer.from_pretrained(base)
    forget_examples = qa_examples(tokenizer, [forget], system_prompt)
    retain_examples = qa_examples(tokenizer, [retain], system_prompt)
    model = trainable(load_stack(base, [finetuned], precision), training, seed)
    reference = adapter_disabled(model)
    settings = TrainSettings(
        learning_rate=hparams["lr"],
        epochs=hparams["epochs"],
        batch_size=training["batch_size"],
        seed=seed,
    )
    secondary = retain_examples if unlearning.uses_retain else None

    def loss(model, forget_batch, retain_batch):
        return unlearning.loss(model, forget_batch, retain_batch, reference)

    result = train(model, loss, forget_examples, secondary, settings, pad_id=tokenizer.pad_token_id)
    unlearning.finish(model)
    model.save_pretrained(output)
    write_json(train_log, {"method": method, "hparams": hparams, **result.__dict__})
    if result.diverged:
        log.warning("%s %s diverged at step %d", method, hparams, result.diverged_step)
    else:
        log.info("%s %s: %d steps in %.1f s", method, hparams, result.steps, result.seconds)
