"""TOFU (Maini et al. 2024, "TOFU: A Task of Fictitious Unlearning for LLMs") as the
workflow's data files.

Schema followed: the `locuslab/TOFU` dataset on the Hugging Face Hub, one table per
config, split `train`, as open-unlearning reads it (configs/data/datasets/TOFU_QA_*.yaml:
`question`, `answer`; the `_perturbed` tables add `paraphrased_answer`, a list
`perturbed_answer` and, where present, `paraphrased_question`). 200 fictitious authors
with 20 QA each, in order; `forgetNN` is the last NN % of the authors, `retainMM` the
rest (the gold model's training set), `holdoutNN` as many authors never trained on (the
non-members of the membership attacks), `retain_perturbed` the retain items TOFU
evaluates, with their paraphrased and perturbed answers.

Imported as: `data/sf.jsonl` the forget split, `data/sr.jsonl` the retain split (both
trained on by the fine-tuned model, the retain split alone by the gold model),
`data/wrong_details.jsonl` the paraphrased and perturbed answers of the forget split and
of `retain_perturbed` (the retain items evaluated), `data/holdout.jsonl` the holdout
split; no probes. The real-author and world-fact sets are the workflow's own copies of
TOFU's.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field

from ..data.records import QA, WrongDetails
from ..jsonl import write_json, write_jsonl
from .source import SourceError, load_rows

# forget split -> (the retain split that completes it, the holdout split of its size)
SPLITS = {
    "forget01": ("retain99", "holdout01"),
    "forget05": ("retain95", "holdout05"),
    "forget10": ("retain90", "holdout10"),
}
AUTHORS = 200
QA_PER_AUTHOR = 20
RETAIN_EVALUATED = "retain_perturbed"
CATEGORY = "author"


class TofuQA(BaseModel):
    model_config = ConfigDict(extra="allow")

    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)


class TofuPerturbedQA(TofuQA):
    paraphrased_answer: str = Field(min_length=1)
    perturbed_answer: list[str] = Field(min_length=1)
    paraphrased_question: str | None = None


def source_tables(settings: dict) -> list[str]:
    """The tables a run reads from `benchmark.source`."""
    forget = settings["forget_split"]
    retain, holdout = SPLITS[forget]
    return [f"{forget}_perturbed", retain, RETAIN_EVALUATED, holdout]


def settings_problems(settings: dict) -> list[str]:
    """TOFU's own `benchmark` keys, checked before any job."""
    forget, retain = settings.get("forget_split"), settings.get("retain_split")
    if forget not in SPLITS:
        return [f"config key benchmark.forget_split: {forget!r} is none of {', '.join(SPLITS)}"]
    problems = []
    if retain != SPLITS[forget][0]:
        problems.append(
            f"config key benchmark.retain_split: {retain!r} does not complete"
            f" {forget}; allowed: {SPLITS[forget][0]}"
        )
    return problems


def author_ids(count: int, first_author: int, prefix: str) -> list[str]:
    return [f"{prefix}{first_author + row // QA_PER_AUTHOR:03d}" for row in range(count)]


def qa_rows(rows: list[TofuQA], ids: list[str], people: list[str], forget: bool) -> list[QA]:
    return [
        QA(
            qa_id=qa_id,
            fact_id=qa_id,
            person_id=person,
            category=CATEGORY,
            question=row.question,
            answer=row.answer,
            forget=forget,
            correlated=False,
        )
        for row, qa_id, person in zip(rows, ids, people, strict=True)
    ]


def wrong_details(qa_id: str, row: TofuPerturbedQA) -> WrongDetails:
    return WrongDetails(
        qa_id=qa_id,
        paraphrased_questions=[row.paraphrased_question or row.question],
        paraphrased_answer=row.paraphrased_answer,
        wrong_answers=row.perturbed_answer,
    )


def import_benchmark(settings: dict, outputs: dict) -> dict:
    """Write TOFU's splits as the workflow's data files (`outputs`: benchmarks.QA_FILES
    keys plus `report`); returns the report."""
    source, forget = settings["source"], settings["forget_split"]
    retain, holdout = SPLITS[forget]
    forget_rows = load_rows(source, f"{forget}_perturbed", TofuPerturbedQA)
    retain_rows = load_rows(source, retain, TofuQA)
    evaluated_rows = load_rows(source, RETAIN_EVALUATED, TofuPerturbedQA)
    holdout_rows = load_rows(source, holdout, TofuQA)

    first_forget_author = AUTHORS - math.ceil(len(forget_rows) / QA_PER_AUTHOR)
    forget_ids = [f"tofu-{forget}-{row:04d}" for row in range(len(forget_rows))]
    retain_ids = [f"tofu-{retain}-{row:04d}" for row in range(len(retain_rows))]
    holdout_ids = [f"tofu-{holdout}-{row:04d}" for row in range(len(holdout_rows))]
    by_question = {row.question: qa_id for row, qa_id in zip(retain_rows, retain_ids, strict=True)}
    details = [wrong_details(i, row) for i, row in zip(forget_ids, forget_rows, strict=True)]
    for number, row in enumerate(evaluated_rows, start=1):
        if row.question not in by_question:
            raise SourceError(
                f"{source}: {RETAIN_EVALUATED}, row {number}: the question is not in {retain}"
            )
        details.append(wrong_details(by_question[row.question], row))

    write_jsonl(
        outputs["forget"],
        qa_rows(
            forget_rows,
            forget_ids,
            author_ids(len(forget_rows), first_forget_author, "tofu-author-"),
            forget=True,
        ),
    )
    write_jsonl(
        outputs["retain"],
        qa_rows(retain_rows, retain_ids, author_ids(len(retain_rows), 0, "tofu-author-"), False),
    )
    write_jsonl(
        outputs["holdout"],
        qa_rows(
            holdout_rows, holdout_ids, author_ids(len(holdout_rows), 0, "tofu-holdout-"), False
        ),
    )
    write_jsonl(outputs["wrong_details"], details)
    write_jsonl(outputs["probes"], [])
    report = {
        "passed": True,
        "benchmark": "tofu",
        "source": source,
        "tables": source_tables(settings),
        "counts": {
            "forget": len(forget_rows),
            "retain": len(retain_rows),
            "retain_evaluated": len(evaluated_rows),
            "holdout": len(holdout_rows),
        },
    }
    write_json(outputs["report"], report)
    return report
