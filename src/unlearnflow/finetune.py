"""Fine-tuning stages: the fine-tuned model (forget + retain) and the gold model (retain only)."""

from __future__ import annotations

import logging
from pathlib import Path

from .atomic import whole_directory
from .data.encoding import encode_qa
from .data.records import QA
from .jsonl import read_jsonl, write_json
from .models import load_stack, trainable
from .scoring import mean_answer_nll
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


def finetune(
    base: Path,
    data: list[Path],
    training: dict,
    system_prompt: str | None,
    seed: int,
    output: Path,
    train_log: Path,
    precision: str = "float32",
) -> None:
    """LoRA (or full, `training.full`) fine-tuning on `data`, loss on answer tokens only."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    examples = list(qa_dataset(tokenizer, data, system_prompt))
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
        lambda m, batch, _: mean_answer_nll(m, batch),
        examples,
        None,
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
        "fine-tuned on %d examples: %d steps, %.0f tokens/s, final loss %.4f",
        len(examples),
        result.steps,
        result.tokens / result.seconds,
        result.losses[-1],
    )
