"""WMDP (Li et al. 2024, "The WMDP Benchmark: Measuring and Reducing Malicious Use With
Unlearning") as the workflow's data files, with MMLU (Hendrycks et al. 2021) for utility.

Schema followed: the Hugging Face Hub datasets as their cards and open-unlearning
(configs/data/datasets/WMDP_*.yaml) read them, `benchmark.source` being their namespace
(`cais`) or a local folder that holds each dataset as a subfolder, CONFIG/SPLIT files
inside (the Hub's layout):

- `wmdp`, config `wmdp-bio` or `wmdp-cyber`, split `test`: `question`, `choices` (four
  strings), `answer` (the right choice's index);
- `wmdp-corpora`, configs `cyber-forget-corpus`, `cyber-retain-corpus` and
  `bio-retain-corpus`, split `train`: `text`; the bio forget corpus is a gated dataset
  of its own, `wmdp-bio-forget-corpus` (config `default`, split `train`: `title`,
  `abstract`, `text`, `doi`);
- `mmlu`, one config per subject (`benchmark.mmlu_subjects`), split `test`:
  `question`, `subject`, `choices`, `answer`.

Imported as: `data/sf.jsonl` the domain's forget corpus and `data/sr.jsonl` its retain
corpus as passages, trained on by next-token loss in chunks of `benchmark.max_length`
tokens; the WMDP and MMLU questions as multiple-choice records, scored by the answer
letter's likelihood (benchmarks/wmdp_evaluation.py), and as QA with their right answer
(benchmarks.WMDP_FILES).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..data.records import QA, MultipleChoice, Passage
from ..jsonl import write_json, write_jsonl
from .raw_text import TextRow, max_length_problems
from .source import SourceError, is_local, load_rows

# the domain's name in lm-evaluation-harness's task descriptions (tasks/wmdp/*.yaml)
DOMAINS = {"bio": "biology", "cyber": "cybersecurity"}


class WmdpQuestion(BaseModel):
    model_config = ConfigDict(extra="allow")

    question: str = Field(min_length=1)
    choices: list[str] = Field(min_length=2)
    answer: int = Field(ge=0)


def tables(settings: dict) -> dict[str, tuple[str, str]]:
    """Role -> (dataset, CONFIG/SPLIT table) of every table a run reads."""
    domain = settings["domain"]
    forget = (
        ("wmdp-bio-forget-corpus", "default/train")
        if domain == "bio"
        else ("wmdp-corpora", "cyber-forget-corpus/train")
    )
    return {
        "forget": forget,
        "retain": ("wmdp-corpora", f"{domain}-retain-corpus/train"),
        "wmdp": ("wmdp", f"wmdp-{domain}/test"),
        **{f"mmlu:{subject}": ("mmlu", f"{subject}/test") for subject in settings["mmlu_subjects"]},
    }


def source_tables(settings: dict) -> list[str]:
    """The tables a run reads from `benchmark.source`, as DATASET/CONFIG/SPLIT."""
    return [f"{dataset}/{table}" for dataset, table in tables(settings).values()]


def dataset_source(source: str, dataset: str) -> str:
    """One dataset of the namespace or folder `source`: a Hub id or a subfolder."""
    return f"{Path(source) / dataset}/" if is_local(source) else f"{source}/{dataset}"


def settings_problems(settings: dict) -> list[str]:
    """WMDP's own `benchmark` keys, checked before any job."""
    problems = []
    if settings.get("domain") not in DOMAINS:
        problems.append(
            f"config key benchmark.domain: {settings.get('domain')!r} is none of"
            f" {', '.join(DOMAINS)}"
        )
    subjects = settings.get("mmlu_subjects")
    if not subjects or not all(isinstance(s, str) and s for s in subjects):
        problems.append(
            "config key benchmark.mmlu_subjects: a list of MMLU subjects (e.g."
            " [college_computer_science, computer_security]) for utility"
        )
    problems += max_length_problems(settings, "open-unlearning's WMDP: 512")
    return problems


def check_answers(rows: list[WmdpQuestion], where: str) -> None:
    for number, row in enumerate(rows, start=1):
        if row.answer >= len(row.choices):
            raise SourceError(
                f"{where}, row {number}: answer: {row.answer} is not the index of one of its"
                f" {len(row.choices)} choices"
            )


def choice_rows(rows: list[WmdpQuestion], prefix: str, subject: str) -> list[MultipleChoice]:
    return [
        MultipleChoice(
            question_id=f"{prefix}-{n:04d}",
            subject=subject,
            question=row.question,
            choices=row.choices,
            answer=row.answer,
        )
        for n, row in enumerate(rows)
    ]


def as_qa(rows: list[MultipleChoice], forget: bool) -> list[QA]:
    """Each question with its right choice as the answer."""
    return [
        QA(
            qa_id=row.question_id,
            fact_id=row.question_id,
            person_id="wmdp",
            category=row.subject,
            question=row.question,
            answer=row.choices[row.answer],
            forget=forget,
            correlated=False,
        )
        for row in rows
    ]


def import_benchmark(settings: dict, outputs: dict) -> dict:
    """Write WMDP's and MMLU's tables as the workflow's data files (`outputs`:
    WMDP_FILES keys plus `report`); returns the report."""
    source, domain = settings["source"], settings["domain"]
    read = {}
    for role, (dataset, table) in tables(settings).items():
        where = dataset_source(source, dataset)
        if dataset in ("wmdp", "mmlu"):
            read[role] = load_rows(where, table, WmdpQuestion)
            check_answers(read[role], f"{where.rstrip('/')}/{table}")
        else:
            read[role] = load_rows(where, table, TextRow)
    for role in ("forget", "retain"):
        write_jsonl(
            outputs[role],
            [
                Passage(passage_id=f"wmdp-{role}-{n:04d}", text=row.text)
                for n, row in enumerate(read[role])
            ],
        )
    hazardous = choice_rows(read["wmdp"], f"wmdp-{domain}", DOMAINS[domain])
    utility = [
        row
        for subject in settings["mmlu_subjects"]
        for row in choice_rows(
            read[f"mmlu:{subject}"], f"mmlu-{subject}", subject.replace("_", " ")
        )
    ]
    write_jsonl(outputs["wmdp"], hazardous)
    write_jsonl(outputs["mmlu"], utility)
    write_jsonl(outputs["wmdp_qa"], as_qa(hazardous, forget=True))
    write_jsonl(outputs["mmlu_qa"], as_qa(utility, forget=False))
    report = {
        "passed": True,
        "benchmark": "wmdp",
        "source": source,
        "tables": source_tables(settings),
        "counts": {
            "forget": len(read["forget"]),
            "retain": len(read["retain"]),
            "wmdp": len(hazardous),
            "mmlu": len(utility),
        },
    }
    write_json(outputs["report"], report)
    return report
