"""One point of an unlearning sweep: a method with its hyperparameters, from the fine-tuned model.

The fine-tuned adapter is merged into the base weights; a fresh LoRA adapter (or, with
`training.unlearn.full`, the weights themselves) then trains on the method's loss, and
the reference model is the same weights with that adapter disabled (or the starting
weights swapped back in; methods/base.py). Every method takes the same steps: `epochs`
passes over the forget set, each forget batch paired with the next retain batch (TOFU's
forget-retain pairing), so retain-only baselines train as long as the others. A run whose loss
turns NaN or infinite stops and is recorded as diverged; the sweep carries on. Asked to
(`training.unlearn.save_every_epoch`), a run also saves its model after each epoch
before its last, as it would save it at the end, into `epoch~N/` of its epochs folder.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import math
import random
from pathlib import Path

from .atomic import whole_directory
from .data.encoding import encode_qa
from .data.records import QA
from .finetune import training_dataset
from .jsonl import read_jsonl, write_json
from .methods import make_method
from .methods.base import reference_for
from .models import load_stack, trainable
from .train import TrainSettings, length_grouped_batches, to_device, train

log = logging.getLogger(__name__)
TRAINING_KEYS = ("lr", "epochs")


def idk_answers(path: Path) -> list[str]:
    """TOFU's "I don't know" replies, one per line."""
    return [line.strip() for line in Path(path).read_text().splitlines() if line.strip()]


def with_idk_alternates(
    tokenizer, forget: Path, idk: Path, system_prompt: str | None, seed: int
) -> list[dict]:
    """Forget examples, each carrying as `alternate` its question answered by an "I don't
    know" reply drawn at random (seeded), as TOFU's IdkDPO pairs them."""
    replies, rng = idk_answers(idk), random.Random(seed)
    examples = []
    for qa in read_jsonl(forget, QA):
        example = encode_qa(tokenizer, qa.question, qa.answer, system_prompt)
        example["alternate"] = encode_qa(tokenizer, qa.question, rng.choice(replies), system_prompt)
        examples.append(example)
    return examples


def save_unlearned(model, unlearning, folder: Path) -> None:
    """The trained `model` as the method leaves it (`finish`; base weights it edits merged
    in, which the adapter alone would lose), saved into `folder`."""
    unlearning.finish(model)
    if unlearning.edits_base_weights and hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    model.save_pretrained(folder)


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
    idk: Path | None = None,
    epochs_output: Path | None = None,
) -> None:
    """Train `method` at `hparams` from the fine-tuned model; `idk` is the file of "I
    don't know" replies that methods with `needs_idk_answers` prefer; `epochs_output`,
    where given, the folder of the models after each epoch before the last."""
    from transformers import AutoTokenizer

    unlearning = make_method(method, **{k: v for k, v in hparams.items() if k not in TRAINING_KEYS})
    tokenizer = AutoTokenizer.from_pretrained(base)
    if unlearning.needs_idk_answers:
        forget_examples = with_idk_alternates(tokenizer, forget, idk, system_prompt, seed)
    else:
        forget_examples = list(training_dataset(tokenizer, [forget], system_prompt, training))
    retain_examples = list(training_dataset(tokenizer, [retain], system_prompt, training))
    finetuned_model = load_stack(base, [finetuned], precision)
    modules = unlearning.trained_modules(finetuned_model.config)
    model = trainable(finetuned_model, training, seed, modules)
    reference = reference_for(model, unlearning)
    device = next(model.parameters()).device
    pad_id = tokenizer.pad_token_id
    forget_batches = length_grouped_batches(
        forget_examples, training["batch_size"], random.Random(seed), pad_id
    )
    unlearning.prepare(model, [to_device(batch, device) for batch in forget_batches])
    settings = TrainSettings(
        learning_rate=hparams["lr"],
        epochs=hparams["epochs"],
        batch_size=training["batch_size"],
        seed=seed,
    )
    secondary = retain_examples if unlearning.uses_retain else None

    def loss(model, forget_batch, retain_batch):
        return unlearning.loss(model, forget_batch, retain_batch, reference)

    steps_per_epoch = math.ceil(len(forget_examples) / settings.batch_size)
    with (
        whole_directory(epochs_output) if epochs_output else contextlib.nullcontext()
    ) as epochs_folder:

        def save_epoch(steps: int) -> None:
            epoch, rest = divmod(steps, steps_per_epoch)
            if epochs_folder and not rest and epoch < settings.epochs:
                save_unlearned(copy.deepcopy(model), unlearning, epochs_folder / f"epoch~{epoch}")

        result = train(
            model, loss, forget_examples, secondary, settings, pad_id=pad_id, after_step=save_epoch
        )
        if epochs_folder and result.diverged:  # the epochs it never reached: where it stopped
            for epoch in range((result.diverged_step - 1) // steps_per_epoch + 1, settings.epochs):
                save_epoch(epoch * steps_per_epoch)
    with whole_directory(output) as folder:
        save_unlearned(model, unlearning, folder)
    write_json(train_log, {"method": method, "hparams": hparams, **result.__dict__})
    if result.diverged:
        log.warning("%s %s diverged at step %d", method, hparams, result.diverged_step)
    else:
        log.info("%s %s: %d steps in %.1f s", method, hparams, result.steps, result.seconds)
