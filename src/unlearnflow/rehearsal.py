"""Rehearsal of general knowledge while fine-tuning: the base model's own greedy answers
to TOFU's real-author and world-fact questions that the evaluation does not ask, trained
on beside the benchmark, so that learning the fictional people disturbs less of what the
model says about the real world. The targets are the base model's words, not TOFU's
answers: rehearsal keeps knowledge, it cannot add any (self-distillation, Yang et al.
2024, "Self-Distillation Bridges Distribution Gap in Language Model Fine-Tuning";
rehearsal of model-generated samples, Sun et al. 2020, LAMOL)."""

from __future__ import annotations

import logging
from pathlib import Path

from .answering import Question, answer_questions
from .data.records import QA
from .items import Item, tofu_items, utility_subset
from .jsonl import write_jsonl
from .models import load_stack

log = logging.getLogger(__name__)
ANSWER_TOKENS = 40  # the greedy answer's length, as the default evaluation decodes
BATCH_SIZE = 64


def unasked_items(path: Path, utility_items: int, seed: int) -> list[Item]:
    """The items of a TOFU set that the evaluation's seeded subset leaves out."""
    items = tofu_items(path)
    asked = {item.item_id for item in utility_subset(items, utility_items, seed)}
    return [item for item in items if item.item_id not in asked]


def rehearsal_set(
    base: Path,
    general: dict[str, Path],
    utility_items: int,
    seed: int,
    system_prompt: str | None,
    output: Path,
    precision: str = "float32",
) -> None:
    """The base model's non-empty greedy answers to the unasked questions of each
    `general` set, as QA records."""
    items = {name: unasked_items(path, utility_items, seed) for name, path in general.items()}
    if not any(items.values()):
        raise ValueError(
            "training.finetune.rehearsal: evaluation.utility_items takes every general"
            " question, leaving none to rehearse"
        )
    from transformers import AutoTokenizer

    model, tokenizer = load_stack(base, [], precision).eval(), AutoTokenizer.from_pretrained(base)
    rows = []
    for name, unasked in items.items():
        answered = answer_questions(
            model,
            tokenizer,
            [Question(item.question, generate=True) for item in unasked],
            system_prompt,
            BATCH_SIZE,
            ANSWER_TOKENS,
        )
        rows += [
            QA(
                qa_id=f"rehearsal-{item.item_id}",
                fact_id=item.item_id,
                person_id="",
                category=name,
                question=item.question,
                answer=answer.generation,
                forget=False,
                correlated=False,
            )
            for item, answer in zip(unasked, answered, strict=True)
            if answer.generation  # an empty answer has nothing to rehearse
        ]
    write_jsonl(output, rows)
    total = sum(map(len, items.values()))
    log.info("%d of %d unasked general questions answered, to rehearse", len(rows), total)
