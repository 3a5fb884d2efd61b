"""Evaluation of one model: TOFU's per-item values on every split, memorization, MIA
scores and AUCs, probe leakage.

Work is batched across the whole evaluation (answering.py): every question of every
split, the holdout and the forget probes goes through the model once, in batches that
score all its answer variants and generate its greedy answer (short cap) from the
same prompt pass.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .answering import Question, answer_questions
from .data.records import ForgetProbe, WrongDetails
from .items import Item, holdout_items, qa_items, tofu_items, utility_subset
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


def scored_question(item: Item, moments: bool = False) -> Question:
    """An item's question: its answer, paraphrased and wrong answers scored, its greedy
    answer generated."""
    answers = (item.answer, item.paraphrased_answer, *item.wrong_answers)
    return Question(item.question, answers, generate=True, moments=moments)


def record_scores(item: Item, result) -> None:
    """The scores and greedy answer of `scored_question(item)` into `item.scores`."""
    answer, paraphrased, *wrong = result.scores
    item.scores.update(
        answer=answer, paraphrased=paraphrased, wrong=wrong, generation=result.generation
    )


@dataclass
class EvaluationSet:
    """What one evaluation asks the model: the scored splits (TOFU's forget, retain,
    real authors and world facts), the holdout non-members and the forget probes."""

    splits: dict[str, list[Item]]
    holdout: list[Item]
    probes: list[ForgetProbe]

    def questions(self) -> list[Question]:
        """Every question, in the order `record_answers` reads their answers back."""
        scored = [
            scored_question(item, moments=name == "forget")
            for name, items in self.splits.items()
            for item in items
        ]
        holdout = [Question(item.question, (item.answer,), moments=True) for item in self.holdout]
        return scored + holdout + [Question(probe.prompt, generate=True) for probe in self.probes]

    def record_answers(self, answered: list) -> list[str]:
        """Each item's scores from `answered` (answering.answer_questions over
        `questions()`); returns the probes' greedy answers."""
        scored = [item for items in self.splits.values() for item in items]
        held_out = len(scored) + len(self.holdout)
        if len(answered) != held_out + len(self.probes):
            raise ValueError(f"{len(answered)} answers to {held_out + len(self.probes)} questions")
        for item, result in zip(scored, answered[: len(scored)], strict=True):
            record_scores(item, result)
        for item, result in zip(self.holdout, answered[len(scored) : held_out], strict=True):
            item.scores["answer"] = result.scores[0]
        return [result.generation for result in answered[held_out:]]

    def subsets(self) -> dict[str, list[Item]]:
        """The splits, and the retain set's correlated and other items apart."""
        retain = self.splits["retain"]
        return {
            **self.splits,
            "retain_correlated": [item for item in retain if item.correlated],
            "retain_other": [item for item in retain if not item.correlated],
        }


def evaluation_set(data: dict[str, Path], utility_items: int, seed: int) -> EvaluationSet:
    """The items of one evaluation from the `data` files (keys: forget, retain, holdout,
    wrong_details, probes, real_authors, world_facts); the utility sets seeded subsets
    of `utility_items`."""
    details = {row.qa_id: row for row in read_jsonl(data["wrong_details"], WrongDetails)}
    splits = {
        "forget": qa_items(data["forget"], details),
        "retain": qa_items(data["retain"], details),
        "real_authors": tofu_items(data["real_authors"]),
        "world_facts": tofu_items(data["world_facts"]),
    }
    for name in ("retain", "real_authors", "world_facts"):
        splits[name] = utility_subset(splits[name], utility_items, seed)
    # Non-members of the forget set's own kind (its category, people never trained on):
    # the attacks must tell membership apart, not one kind of fact from another.
    forget_categories = {item.category for item in splits["forget"]}
    holdout = [i for i in holdout_items(data["holdout"]) if i.category in forget_categories]
    return EvaluationSet(splits, holdout, read_jsonl(data["probes"], ForgetProbe))


def probe_result(probes: list[ForgetProbe], answers: list[str]) -> dict:
    """Each probe's greedy answer and whether it leaks the forget fact; the leakage rate
    (None where the benchmark has no probes: TOFU)."""
    leaked = [
        leaks(answer, probe.key_details) for probe, answer in zip(probes, answers, strict=True)
    ]
    return {
        "probes": [
            {"id": probe.probe_id, "answer": answer, "leaked": flag}
            for probe, answer, flag in zip(probes, answers, leaked, strict=True)
        ],
        "leakage_rate": leakage_rate(leaked) if leaked else None,  # a benchmark without probes
    }


def load_evaluated_model(base: Path, stages: list[Path], precision: str, quantization):
    """The base model with `stages` merged, quantized first if `quantization` names a
    `scheme` (and its `group_size`; see quantize.py), in eval mode; and its tokenizer."""
    from transformers import AutoTokenizer

    from .models import load_stack
    from .quantize import quantize

    model = load_stack(base, stages, precision)
    if quantization:
        model = quantize(model, quantization["scheme"], quantization["group_size"])
    return model.eval(), AutoTokenizer.from_pretrained(base)


def evaluate(
    base: Path,
    stages: list[Path],
    data: dict[str, Path],
    settings: dict,
    system_prompt: str | None,
    seed: int,
    output: Path,
    quantization: dict | None = None,
    precision: str = "float32",
) -> None:
    """Every metric of one model (see `load_evaluated_model`) on the `data` files (see
    `evaluation_set`), written to `output`."""
    start = time.perf_counter()
    model, tokenizer = load_evaluated_model(base, stages, precision, quantization)
    items = evaluation_set(data, settings["utility_items"], seed)
    loaded = time.perf_counter()
    answered = answer_questions(
        model,
        tokenizer,
        items.questions(),
        system_prompt,
        settings["batch_size"],
        settings["max_new_tokens"],
    )
    probe_answers = items.record_answers(answered)
    answering_done = time.perf_counter()
    result = {
        "quantization": quantization,
        "splits": {name: split_result(name, its) for name, its in items.subsets().items() if its},
        "mia": membership(items.splits["forget"], items.holdout, settings["mia_k"]),
        **probe_result(items.probes, probe_answers),
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
