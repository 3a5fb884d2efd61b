"""Evaluation of one model: TOFU's per-item values on every split, memorization, MIA
scores and AUCs, probe leakage.

Work is batched across the whole evaluation (answering.py): every question of every
split, the holdout and the forget probes goes through the model once, in batches that
score all its answer variants and generate its greedy answer (short cap) from the
same prompt pass.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .answering import Question, answer_questions
from .data.records import QA, ForgetProbe, WrongDetails
from .jsonl import read_jsonl, write_json
from .metrics.leakage import leakage_rate, leaks
from .metrics.memorization import exact_memorization, extraction_strength
from .metrics.mia import (
    loss_score,
    membership_auc,
    min_k_plus_plus_score,
    min_k_score,
    zlib_score,
)
from .metrics.rouge import rouge_l_recall
from .metrics.utility import SplitScores, split_metrics

log = logging.getLogger(__name__)


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


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def split_result(name: str, items: list[Item]) -> dict:
    """TOFU's three metrics and the two memorization metrics of one split, and every
    item's values (the intervals and forget quality are computed from them later)."""
    scores = SplitScores(
        answer_loss=np.array([i.scores["answer"].loss for i in items]),
        paraphrased_loss=np.array([i.scores["paraphrased"].loss for i in items]),
        wrong_losses=np.array([[w.loss for w in i.scores["wrong"]] for i in items]),
        rouge_l=np.array([rouge_l_recall(i.scores["generation"], i.answer) for i in items]),
    )
    memorization = {
        "exact_memorization": [exact_memorization(i.scores["answer"].hits) for i in items],
        "extraction_strength": [extraction_strength(i.scores["answer"].hits) for i in items],
    }
    metrics = split_metrics("forget" if name == "forget" else name, scores)
    metrics.update((key, float(np.mean(values))) for key, values in memorization.items())
    return {
        "metrics": {k: _finite(v) for k, v in metrics.items()},
        "items": [
            {
                "id": item.item_id,
                "answer_loss": _finite(float(scores.answer_loss[n])),
                "paraphrased_loss": _finite(float(scores.paraphrased_loss[n])),
                "wrong_losses": [_finite(float(x)) for x in scores.wrong_losses[n]],
                "rouge_l": float(scores.rouge_l[n]),
                **{key: values[n] for key, values in memorization.items()},
                "generation": item.scores["generation"],
            }
            for n, item in enumerate(items)
        ],
    }


def membership(forget: list[Item], holdout: list[Item], k: float) -> dict:
    """Every attack's per-item scores on the forget (members) and holdout (non-members)
    answers, and its AUC (metrics/mia.py)."""
    attacks = {
        "loss": lambda s, text: loss_score(s.logprobs),
        "zlib": lambda s, text: zlib_score(s.logprobs, text),
        "min_k": lambda s, text: min_k_score(s.logprobs, k),
        "min_k_plus_plus": lambda s, text: min_k_plus_plus_score(s.logprobs, s.mu, s.sigma, k),
    }
    scores = {
        name: {
            split: [attack(item.scores["answer"], item.answer) for item in items]
            for split, items in (("forget", forget), ("holdout", holdout))
        }
        for name, attack in attacks.items()
    }
    return {
        "k": k,
        "nonmembers": [item.item_id for item in holdout],
        "scores": scores,
        "auc": {
            name: float(membership_auc(values["forget"], values["holdout"]))
            for name, values in scores.items()
        },
    }


def evaluate(
    base: Path,
    stages: list[Path],
    forget: Path,
    retain: Path,
    holdout: Path,
    wrong_details: Path,
    probes: Path,
    real_authors: Path,
    world_facts: Path,
    settings: dict,
    system_prompt: str | None,
    seed: int,
    output: Path,
    quantization: dict | None = None,
    precision: str = "float32",
) -> None:
    """Evaluate the base model with `stages` merged, quantized first if `quantization`
    names a `scheme` (and its `group_size`; see quantize.py)."""
    from transformers import AutoTokenizer

    from .models import load_stack
    from .quantize import quantize

    start = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = load_stack(base, stages, precision)
    if quantization:
        model = quantize(model, quantization["scheme"], quantization["group_size"])
    model.eval()
    details = {row.qa_id: row for row in read_jsonl(wrong_details, WrongDetails)}
    splits = {
        "forget": qa_items(forget, details),
        "retain": qa_items(retain, details),
        "real_authors": tofu_items(real_authors),
        "world_facts": tofu_items(world_facts),
    }
    for name in ("retain", "real_authors", "world_facts"):
        splits[name] = utility_subset(splits[name], settings["utility_items"], seed)
    # Non-members of the forget set's own kind (its category, people never trained on):
    # the attacks must tell membership apart, not one kind of fact from another.
    forget_categories = {item.category for item in splits["forget"]}
    holdout_items = [i for i in qa_items(holdout, details) if i.category in forget_categories]
    probe_rows = read_jsonl(probes, ForgetProbe)

    scored_items = [item for items in splits.values() for item in items]
    questions = [
        Question(
            item.question,
            (item.answer, item.paraphrased_answer, *item.wrong_answers),
            generate=True,
            moments=name == "forget",
        )
        for name, items in splits.items()
        for item in items
    ]
    questions += [Question(i.question, (i.answer,), moments=True) for i in holdout_items]
    questions += [Question(probe.prompt, generate=True) for probe in probe_rows]
    loaded = time.perf_counter()
    answered = answer_questions(
        model,
        tokenizer,
        questions,
        system_prompt,
        settings["batch_size"],
        settings["max_new_tokens"],
    )
    answering_done = time.perf_counter()
    held_out = len(scored_items) + len(holdout_items)
    for item, result in zip(scored_items, answered[: len(scored_items)], strict=True):
        answer, paraphrased, *wrong = result.scores
        item.scores.update(
            answer=answer, paraphrased=paraphrased, wrong=wrong, generation=result.generation
        )
    for item, result in zip(holdout_items, answered[len(scored_items) : held_out], strict=True):
        item.scores["answer"] = result.scores[0]
    probe_answers = [result.generation for result in answered[held_out:]]

    subsets = {
        **splits,
        "retain_correlated": [i for i in splits["retain"] if i.correlated],
        "retain_other": [i for i in splits["retain"] if not i.correlated],
    }
    result = {
        "quantization": quantization,
        "splits": {name: split_result(name, items) for name, items in subsets.items() if items},
        "mia": membership(splits["forget"], holdout_items, settings["mia_k"]),
        "probes": [
            {"id": probe.probe_id, "answer": answer, "leaked": leaks(answer, probe.key_details)}
            for probe, answer in zip(probe_rows, probe_answers, strict=True)
        ],
        "leakage_rate": leakage_rate(probe_answers, [p.key_details for p in probe_rows]),
        "seconds": time.perf_counter() - start,
    }
    write_json(output, result)
    log.info(
        "evaluated in %.1f s (loading %.1f s, scoring and generation %.1f s):"
        " forget ROUGE-L %s, retain ROUGE-L %s",
        result["seconds"],
        loaded - start,
        answering_done - loaded,
        result["splits"]["forget"]["metrics"]["rouge_l"],
        result["splits"]["retain"]["metrics"]["rouge_l"],
    )
