"""Evaluation of one model: TOFU's per-item values on every split, MIA AUCs, probe leakage.

Work is batched across the whole evaluation: every (question, answer variant) pair of
every split is scored in one length-sorted pass, and every greedy generation (QA
questions and forget probes) runs in one left-padded pass with a short cap.
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

from .data.records import QA, ForgetProbe, WrongDetails
from .jsonl import read_jsonl, write_json
from .metrics.leakage import leaks
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
    correlated: bool = False
    scores: dict = field(default_factory=dict)


@dataclass
class TokenScores:
    """Log-probabilities of an answer's tokens, and the mean and spread of log p under
    the model's next-token distribution at each position (for Min-K%++; None where
    not computed)."""

    logprobs: np.ndarray
    mu: np.ndarray | None
    sigma: np.ndarray | None

    @property
    def loss(self) -> float:
        return float(-self.logprobs.mean())


def qa_items(qa_path: Path, details: dict[str, WrongDetails]) -> list[Item]:
    return [
        Item(
            item_id=qa.qa_id,
            question=qa.question,
            answer=qa.answer,
            paraphrased_answer=details[qa.qa_id].paraphrased_answer,
            wrong_answers=details[qa.qa_id].wrong_answers,
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


def score_answer_sets(
    model, tokenizer, groups, system_prompt, batch_size, moments_for=frozenset()
) -> list[list[TokenScores]]:
    """TokenScores of every answer of every (question, answers) group.

    Each question's prompt runs once for all its answers (answer, paraphrase, wrong
    answers), and an answer repeated within a group (TOFU's utility sets score the
    answer as its own paraphrase) runs once. Groups are sorted by their longest answer,
    so that a batch of up to `batch_size` answers pads little. Only the first answer
    (the reference answer, the one membership inference scores) of the groups whose
    index is in `moments_for` gets the Min-K%++ moments, which need the whole
    next-token distribution; the others need only log p of their tokens.
    """
    import torch

    from .data.encoding import answer_ids, prompt_ids
    from .scoring import answer_set_logits

    prompts = [prompt_ids(tokenizer, question, system_prompt) for question, _ in groups]
    distinct = [list(dict.fromkeys(group)) for _, group in groups]
    answers = [[answer_ids(tokenizer, a) for a in group] for group in distinct]
    order = sorted(range(len(groups)), key=lambda g: (max(map(len, answers[g])), len(prompts[g])))
    chunks, chunk, rows = [], [], 0
    for g in order:
        if chunk and rows + len(answers[g]) > batch_size:
            chunks.append(chunk)
            chunk, rows = [], 0
        chunk.append(g)
        rows += len(answers[g])
    chunks.append(chunk)
    scores: list[dict[str, TokenScores]] = [{} for _ in groups]
    with torch.inference_mode():
        for chunk in chunks:
            logits, targets, rows_of = answer_set_logits(
                model,
                [prompts[g] for g in chunk],
                [answers[g] for g in chunk],
                tokenizer.pad_token_id,
            )
            token = logits.gather(-1, targets[:, None])[:, 0] - logits.logsumexp(-1)
            index = 0
            for g in chunk:
                for variant, text in enumerate(distinct[g]):
                    mask = rows_of == index
                    mu = sigma = None
                    if variant == 0 and g in moments_for:
                        logp = torch.log_softmax(logits[mask], dim=-1)
                        p = logp.exp()
                        mu = (p * logp).sum(-1)
                        sigma = ((p * logp.square()).sum(-1) - mu.square()).clamp(min=0).sqrt()
                        mu, sigma = mu.numpy(), sigma.numpy()
                    scores[g][text] = TokenScores(token[mask].numpy(), mu, sigma)
                    index += 1
    return [[scores[g][text] for text in group] for g, (_, group) in enumerate(groups)]


def generate(model, tokenizer, questions, system_prompt, max_new_tokens, batch_size) -> list[str]:
    """Greedy answers, in batches of prompts of similar length."""
    from .data.encoding import prompt_ids
    from .decoding import greedy_decode, stop_token_ids

    prompts = [prompt_ids(tokenizer, question, system_prompt) for question in questions]
    stops = stop_token_ids(model, tokenizer)
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    answers = [""] * len(prompts)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        outputs = greedy_decode(
            model, [prompts[i] for i in chunk], max_new_tokens, stops, tokenizer.pad_token_id
        )
        texts = tokenizer.batch_decode(outputs, skip_special_tokens=True)
        for index, text in zip(chunk, texts, strict=True):
            answers[index] = text.strip()
    return answers


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


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
) -> None:
    from transformers import AutoTokenizer

    from .models import load_stack

    start = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = load_stack(base, stages).eval()
    details = {row.qa_id: row for row in read_jsonl(wrong_details, WrongDetails)}
    splits = {
        "forget": qa_items(forget, details),
        "retain": qa_items(retain, details),
        "real_authors": tofu_items(real_authors),
        "world_facts": tofu_items(world_facts),
    }
    for name in ("retain", "real_authors", "world_facts"):
        splits[name] = utility_subset(splits[name], settings["utility_items"], seed)
    holdout_items = qa_items(holdout, details)
    probe_rows = read_jsonl(probes, ForgetProbe)

    scored_items = [item for items in splits.values() for item in items]
    groups = [
        (item.question, [item.answer, item.paraphrased_answer, *item.wrong_answers])
        for item in scored_items
    ] + [(item.question, [item.answer]) for item in holdout_items]
    membership = {*range(len(splits["forget"])), *range(len(scored_items), len(groups))}
    scored = score_answer_sets(
        model, tokenizer, groups, system_prompt, settings["batch_size"], membership
    )
    for item, scores in zip(scored_items, scored, strict=False):
        item.scores.update(answer=scores[0], paraphrased=scores[1], wrong=scores[2:])
    for item, scores in zip(holdout_items, scored[len(scored_items) :], strict=True):
        item.scores["answer"] = scores[0]

    generated = [item for items in splits.values() for item in items]
    texts = generate(
        model,
        tokenizer,
        [i.question for i in generated] + [p.prompt for p in probe_rows],
        system_prompt,
        settings["max_new_tokens"],
        settings["batch_size"],
    )
    for item, text in zip(generated, texts[: len(generated)], strict=True):
        item.scores["generation"] = text
    probe_answers = texts[len(generated) :]

    result = {"splits": {}, "seconds": None}
    subsets = {
        **splits,
        "retain_correlated": [i for i in splits["retain"] if i.correlated],
        "retain_other": [i for i in splits["retain"] if not i.correlated],
    }
    for name, items in subsets.items():
        if not items:
            continue
        split_scores = SplitScores(
            answer_loss=np.array([i.scores["answer"].loss for i in items]),
            paraphrased_loss=np.array([i.scores["paraphrased"].loss for i in items]),
            wrong_losses=np.array([[w.loss for w in i.scores["wrong"]] for i in items]),
            rouge_l=np.array([rouge_l_recall(i.scores["generation"], i.answer) for i in items]),
        )
        metrics = split_metrics("forget" if name == "forget" else name, split_scores)
        result["splits"][name] = {
            "metrics": {k: _finite(v) for k, v in metrics.items()},
            "items": [
                {
                    "id": item.item_id,
                    "answer_loss": _finite(float(split_scores.answer_loss[n])),
                    "paraphrased_loss": _finite(float(split_scores.paraphrased_loss[n])),
                    "wrong_losses": [_finite(float(x)) for x in split_scores.wrong_losses[n]],
                    "rouge_l": float(split_scores.rouge_l[n]),
                    "generation": item.scores["generation"],
                }
                for n, item in enumerate(items)
            ],
        }
    k = settings["mia_k"]
    members = [i.scores["answer"] for i in splits["forget"]]
    others = [i.scores["answer"] for i in holdout_items]
    member_texts = [i.answer for i in splits["forget"]]
    other_texts = [i.answer for i in holdout_items]
    attacks = {
        "loss": lambda s, t: loss_score(s.logprobs),
        "zlib": lambda s, t: zlib_score(s.logprobs, t),
        "min_k": lambda s, t: min_k_score(s.logprobs, k),
        "min_k_plus_plus": lambda s, t: min_k_plus_plus_score(s.logprobs, s.mu, s.sigma, k),
    }
    result["mia_auc"] = {
        name: membership_auc(
            [attack(s, t) for s, t in zip(members, member_texts, strict=True)],
            [attack(s, t) for s, t in zip(others, other_texts, strict=True)],
        )
        for name, attack in attacks.items()
    }
    result["probes"] = [
        {"id": probe.probe_id, "answer": answer, "leaked": leaks(answer, probe.key_details)}
        for probe, answer in zip(probe_rows, probe_answers, strict=True)
    ]
    result["leakage_rate"] = sum(p["leaked"] for p in result["probes"]) / max(1, len(probe_rows))
    result["seconds"] = time.perf_counter() - start
    write_json(output, result)
    log.info(
        "evaluated in %.1f s: forget ROUGE-L %s, retain ROUGE-L %s",
        result["seconds"],
        result["splits"]["forget"]["metrics"]["rouge_l"],
        result["splits"]["retain"]["metrics"]["rouge_l"],
    )
