"""The items an evaluation asks: the benchmark's QA with their paraphrased and wrong
answers, TOFU's real-author and world-fact sets, and the seeded subsets of them that
`evaluation.utility_items` keeps."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from .data.records import QA, WrongDetails
from .jsonl import read_jsonl


@dataclass
class Item:
    item_id: str
    question: str
    answer: str
    paraphrased_answer: str
    wrong_answers: list[str]
    category: str = ""
    correlated: bool = False
    scores: dict = field(default_factory=dict)


def qa_items(qa_path: Path, details: dict[str, WrongDetails]) -> list[Item]:
    """The QA of `qa_path` that carry paraphrased and wrong answers: every row of the
    synthetic benchmark (the red team checks it); of TOFU's retain split, the rows TOFU
    evaluates (benchmarks/tofu.py)."""
    return [
        Item(
            item_id=qa.qa_id,
            question=qa.question,
            answer=qa.answer,
            paraphrased_answer=details[qa.qa_id].paraphrased_answer,
            wrong_answers=details[qa.qa_id].wrong_answers,
            category=qa.category,
            correlated=qa.correlated,
        )
        for qa in read_jsonl(qa_path, QA)
        if qa.qa_id in details
    ]


def holdout_items(qa_path: Path) -> list[Item]:
    """Holdout QA, whose answers only the membership attacks score."""
    return [
        Item(
            item_id=qa.qa_id,
            question=qa.question,
            answer=qa.answer,
            paraphrased_answer=qa.answer,
            wrong_answers=[],
            category=qa.category,
        )
        for qa in read_jsonl(qa_path, QA)
    ]


def tofu_items(path: Path) -> list[Item]:
    """TOFU's real-authors or world-facts set."""
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    return [
        Item(
            item_id=f"{Path(path).stem}-{i}",
            question=row["question"],
            answer=row["answer"],
            paraphrased_answer=row["answer"],  # TOFU scores the answer itself here
            wrong_answers=row["perturbed_answer"],
        )
        for i, row in enumerate(rows)
    ]


def utility_subset(items: list[Item], count: int, seed: int) -> list[Item]:
    """A seeded subset of `count` items (0: all), drawn from the correlated and the
    other items in proportion, in the original order."""
    if not count or count >= len(items):
        return items
    rng = random.Random(seed)
    correlated = [i for i, item in enumerate(items) if item.correlated]
    other = [i for i, item in enumerate(items) if not item.correlated]
    take = round(count * len(correlated) / len(items))
    chosen = set(rng.sample(correlated, take)) | set(rng.sample(other, count - take))
    return [item for i, item in enumerate(items) if i in chosen]
