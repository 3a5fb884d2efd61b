"""Fine-tuning stages: the fine-tuned model (forget + retain) and the gold model (retain only)."""

from __future__ import annotations

import logging
from pathlib import Path

from .atomic import whole_directory
from .data.encoding import encode_qa, encode_text, text_chunks
from .data.records import QA, Passage
from .jsonl import read_jsonl, write_json
from .methods.base import frozen_reference
from .models import load_stack, trainable
from .scoring import mean_answer_nll, nll_and_kl_to_reference
from .train import TrainSettings, train

log = logging.getLogger(__name__)


def qa_dataset(tokenizer, paths: list[Path], system_prompt: str | None):
    """The QA of `paths` (each line checked, a bad one named by file and line) as a
    `datasets.Dataset` of chat-formatted `input_ids` and `labels` (answer tokens only):
    the split our loop trains on, and the pre-tokenized form TRL's SFTTrainer takes."""
    from datasets import Dataset

    rows = [qa for path in paths for qa in read_jsonl(path, QA)]
    return Dataset.from_list(
        [encode_qa(tokenizer, qa.question, qa.answer, system_prompt) for qa in rows]
    )


def text_dataset(tokenizer, paths: list[Path], chunk_tokens: int):
    """The raw-text passages of `paths` (records checked) as a `datasets.Dataset` of
    chunks of `chunk_tokens` tokens, each file chunked on its own (data/encoding.py)."""
    from datasets import Dataset

    chunks = [
        chunk
        for path in paths
        for chunk in text_chunks(
            tokenizer, [row.text for row in read_jsonl(path, Passage)], chunk_tokens
        )
    ]
    return Dataset.from_list([encode_text(tokenizer, chunk, chunk_tokens) for chunk in chunks])


def training_dataset(tokenizer, paths: list[Path], system_prompt: str | None, training: dict):
    """What a training stage learns from `paths`: QA pairs, or, where the benchmark is
    raw text (`training` carries its `chunk_tokens`), chunks of its passages."""
    if "chunk_tokens" in training:
        return text_dataset(tokenizer, paths, training["chunk_tokens"])
    return qa_dataset(tokenizer, paths, system_prompt)


def finetune(
    base: Path,
    data: list[Path],
    training: dict,
    system_prompt: str | None,
    seed: int,
    output: Path,
    train_log: Path,
    precision: str = "float32",
    rehearsal: list[Path] = (),
) -> None:
    """LoRA (or full, `training.full`) fine-tuning on `data`: loss on answer tokens only,
    or on every token of a raw-text benchmark's chunks. The `rehearsal` QA are mixed into
    the data, or, with `training.rehearsal_kl` > 0, drawn as a batch of their own at
    every step (`rehearsing_loss`)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    kl_weight = training["rehearsal_kl"]
    examples = list(training_dataset(tokenizer, data, system_prompt, training))
    rehearsed = list(qa_dataset(tokenizer, rehearsal, system_prompt)) if rehearsal else []
    if not kl_weight:
        examples, rehearsed = examples + rehearsed, []
    model = trainable(load_stack(base, precision=precision), training, seed)
    settings = TrainSettings(
        learning_rate=training["lr"],
        epochs=training["epochs"],
        batch_size=training["batch_size"],
        lr_schedule=training["lr_schedule"],
        seed=seed,
    )
    result = train(
        model,
        rehearsing_loss(kl_weight, frozen_reference(model)) if rehearsed else plain_loss,
        examples,
        rehearsed or None,
        settings,
        pad_id=tokenizer.pad_token_id,
    )
    if result.diverged:
        raise RuntimeError(
            f"fine-tuning diverged at step {result.diverged_step}: lower the learning rate (lr)"
        )
    with whole_directory(output) as folder:
        model.save_pretrained(folder)
    write_json(train_log, result.__dict__)
    log.info(
        "fine-tuned on %d examples (%d rehearsed beside them): %d steps, %.0f tokens/s,"
        " final loss %.4f",
        len(examples),
        len(rehearsed),
        result.steps,
        result.tokens / result.seconds,
        result.losses[-1],
    )


def plain_loss(model, batch: dict, _):
    """The answer NLL of a batch of the training data."""
    return mean_answer_nll(model, batch)


def rehearsing_loss(kl_weight: float, reference):
    """NLL(data batch) + NLL(rehearsal batch) + kl_weight · KL(p_base || p_theta) over the
    rehearsal batch's answer tokens: the rehearsed answers are kept as the base model
    distributes them, not only as its greedy words (learning without forgetting, Li and
    Hoiem 2017; the KL as open-unlearning's retain loss)."""

    def loss(model, batch: dict, rehearsal: dict):
        rehearsal_nll, kl = nll_and_kl_to_reference(model, rehearsal, reference)
        return mean_answer_nll(model, batch) + rehearsal_nll + kl_weight * kl

    return loss
