"""Relearning attacks: does a little fine-tuning bring the forgotten answers back?

Hu et al. 2024 ("Jogging the memory of unlearned LLMs through targeted relearning
attacks") and Łucki et al. 2024 ("An adversarial perspective on machine unlearning for
AI safety") restore most of what unlearning removed with a few steps on a small share
of the forget set, or on related data that never states a forgotten fact. One job
attacks one model: a fresh LoRA adapter (`training.unlearn`'s) trains on the attack set
with the answer NLL, and the forget items the attack never sees are evaluated before
the first step (the model's own evaluation, `results/eval/{model}.json`, read for
the items the attack leaves out) and after each of `relearning.steps`.

Attack sets (`relearning.attacks`):
- `forget_share`: a seeded `relearning.share` of the forget QA; the rest is evaluated.
- `related`: the retain QA correlated with the forget fact, of the forget set's people
  (the synthetic benchmark's intra-entity design); a benchmark without them (TOFU)
  attacks with its retain set.
Both evaluate the same forget items, those `forget_share` leaves out, so that every
curve of a run is over one set. The gold model never learned them: its curve is the
floor; the fine-tuned model's is the ceiling.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from pathlib import Path

import numpy as np

from .aggregate import item_values
from .data.encoding import encode_qa
from .data.records import QA, WrongDetails
from .evaluate import record_scores, scored_question, split_result
from .items import qa_items
from .jsonl import read_jsonl, write_json
from .plan import ATTACKS
from .scoring import mean_answer_nll
from .train import TrainSettings, train

log = logging.getLogger(__name__)


class AttackError(ValueError):
    """An attack set that cannot be built, or that would train on evaluated items."""


def attack_split(forget: list[QA], share: float, seed: int) -> tuple[list[QA], list[QA]]:
    """(attacked with, evaluated): a seeded `share` of the forget QA, and the rest."""
    order = sorted(forget, key=lambda qa: qa.qa_id)
    random.Random(seed).shuffle(order)
    count = round(share * len(order))
    if not 1 <= count < len(order):
        raise AttackError(
            f"config key relearning.share: {share} of {len(order)} forget items is {count};"
            " the attack needs at least one item and must leave one to evaluate"
        )
    return order[:count], order[count:]


def related_set(retain: list[QA], people: set[str]) -> list[QA]:
    """The forget set's people's retain QA correlated with their forget fact, or, where
    the benchmark has none, the whole retain set."""
    correlated = [qa for qa in retain if qa.correlated and qa.person_id in people]
    return correlated or retain


def attack_sets(forget: list[QA], retain: list[QA], attack: str, share: float, seed: int):
    """(the QA the attack trains on, the forget QA it is evaluated on)."""
    shared, evaluated = attack_split(forget, share, seed)
    if attack not in ATTACKS:
        raise AttackError(f"config key relearning.attacks: {attack!r} is none of {ATTACKS}")
    attacked = (
        shared if attack == "forget_share" else related_set(retain, {qa.person_id for qa in forget})
    )
    leaked = {qa.qa_id for qa in attacked} & {qa.qa_id for qa in evaluated}
    if leaked:
        raise AttackError(
            f"config key relearning.attacks: {attack} would train on evaluated forget items"
            f" ({', '.join(sorted(leaked))})"
        )
    return attacked, evaluated


def before_attack(evaluation: Path, wanted: set[str]) -> dict:
    """The result at 0 steps: the `wanted` forget items of the model's evaluation."""
    rows = [
        row
        for row in json.loads(Path(evaluation).read_text())["splits"]["forget"]["items"]
        if row["id"] in wanted
    ]
    values = item_values({"splits": {"forget": {"items": rows}}}, "forget")
    return {
        "steps": 0,
        "metrics": {key: float(np.mean(value)) for key, value in values.items()},
        "items": rows,
    }


def relearn(
    base: Path,
    stages: list[Path],
    evaluated_model: Path,
    data: dict[str, Path],
    attack: str,
    settings: dict,
    evaluation: dict,
    training: dict,
    system_prompt: str | None,
    split_seed: int,
    seed: int,
    output: Path,
    precision: str = "float32",
) -> None:
    """Attack the model of `stages` (evaluated in `evaluated_model`) with `attack`
    (settings: `relearning`'s `steps`, `share`, `lr`, `batch_size`), evaluating the
    forget items it leaves out (with `evaluation`'s `batch_size` and `max_new_tokens`)
    after each number of steps."""
    from transformers import AutoTokenizer

    from .answering import answer_questions
    from .models import load_stack, trainable

    start = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(base)
    attacked, evaluated = attack_sets(
        read_jsonl(data["forget"], QA),
        read_jsonl(data["retain"], QA),
        attack,
        settings["share"],
        split_seed,
    )
    details = {row.qa_id: row for row in read_jsonl(data["wrong_details"], WrongDetails)}
    wanted = {qa.qa_id for qa in evaluated}
    items = [item for item in qa_items(data["forget"], details) if item.item_id in wanted]
    model = load_stack(base, stages, precision)
    results = [before_attack(evaluated_model, wanted)]

    def evaluate_at(steps: int) -> None:
        if steps not in settings["steps"]:
            return
        model.eval()
        answered = answer_questions(
            model,
            tokenizer,
            [scored_question(item) for item in items],
            system_prompt,
            evaluation["batch_size"],
            evaluation["max_new_tokens"],
        )
        for item, result in zip(items, answered, strict=True):
            record_scores(item, result)
        results.append({"steps": steps, **split_result("forget", items)})
        model.train()

    model = trainable(model, training, seed)
    examples = [encode_qa(tokenizer, qa.question, qa.answer, system_prompt) for qa in attacked]
    most = max(settings["steps"])
    batches = math.ceil(len(examples) / settings["batch_size"])
    run = train(
        model,
        lambda m, batch, _: mean_answer_nll(m, batch),
        examples,
        None,
        TrainSettings(
            learning_rate=settings["lr"],
            epochs=math.ceil(most / batches),
            batch_size=settings["batch_size"],
            seed=seed,
            max_steps=most,
        ),
        pad_id=tokenizer.pad_token_id,
        after_step=evaluate_at,
    )
    write_json(
        output,
        {
            "attack": attack,
            "attacked_with": [qa.qa_id for qa in attacked],
            "evaluated": sorted(wanted),
            "diverged": run.diverged,
            "results": results,
            "seconds": time.perf_counter() - start,
        },
    )
    log.info(
        "%s: forget ROUGE-L %s",
        attack,
        ", ".join(f"{r['metrics']['rouge_l']:.3f} after {r['steps']}" for r in results),
    )
