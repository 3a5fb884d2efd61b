"""MUSE (Shi et al. 2024, "MUSE: Machine Unlearning Six-Way Evaluation for Language
Models") as the workflow's data files.

Schema followed: the `muse-bench/MUSE-News` and `muse-bench/MUSE-Books` datasets on the
Hugging Face Hub (their dataset cards), one table per config and split, as
open-unlearning reads them (configs/data/datasets/MUSE_*.yaml): `raw` (splits `forget`,
`retain1`, `retain2`, `holdout`; field `text`), `verbmem` (split `forget`; `prompt`,
`gt`), `knowmem` (splits `forget_qa`, `retain_qa` and their in-context examples
`forget_qa_icl`, `retain_qa_icl`; `question`, `answer`) and `privleak` (splits
`forget`, `holdout`; `text`). A local folder holds them as `CONFIG/SPLIT.json`,
`.jsonl` or `.parquet`, the Hub repository's own layout.

Imported as: `data/sf.jsonl` the forget corpus and `data/sr.jsonl` the retain corpus
(`benchmark.retain_split`) as passages, trained on by next-token loss in chunks of
`benchmark.max_length` tokens (the fine-tuned model on both, the gold model on the
retain corpus: MUSE's target and retrained models); the verbatim-memorization
continuations, the knowledge QA and the membership texts as the evaluation's files
(benchmarks.MUSE_FILES).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..data.records import QA, Continuation, Passage
from ..jsonl import write_json, write_jsonl
from .raw_text import TextRow, max_length_problems
from .source import load_rows

RETAIN_SPLITS = ("retain1", "retain2")
KNOWMEM = {
    "knowmem_forget": "knowmem/forget_qa",
    "knowmem_retain": "knowmem/retain_qa",
    "knowmem_forget_icl": "knowmem/forget_qa_icl",
    "knowmem_retain_icl": "knowmem/retain_qa_icl",
}
PRIVLEAK = {"privleak_forget": "privleak/forget", "privleak_holdout": "privleak/holdout"}
VERBMEM = "verbmem/forget"
FORGET = "raw/forget"


class MuseVerbatim(BaseModel):
    model_config = ConfigDict(extra="allow")

    prompt: str = Field(min_length=1)
    gt: str = Field(min_length=1)


class MuseQA(BaseModel):
    model_config = ConfigDict(extra="allow")

    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)


def source_tables(settings: dict) -> list[str]:
    """The tables a run reads from `benchmark.source`."""
    return [
        FORGET,
        f"raw/{settings['retain_split']}",
        VERBMEM,
        *KNOWMEM.values(),
        *PRIVLEAK.values(),
    ]


def settings_problems(settings: dict) -> list[str]:
    """MUSE's own `benchmark` keys, checked before any job."""
    problems = []
    if settings.get("retain_split") not in RETAIN_SPLITS:
        problems.append(
            f"config key benchmark.retain_split: {settings.get('retain_split')!r} is none of"
            f" {', '.join(RETAIN_SPLITS)}"
        )
    problems += max_length_problems(settings, "MUSE's: 2048")
    return problems


def passages(rows: list[TextRow], prefix: str) -> list[Passage]:
    return [Passage(passage_id=f"{prefix}-{n:04d}", text=row.text) for n, row in enumerate(rows)]


def qa_rows(rows: list[MuseQA], prefix: str, forget: bool) -> list[QA]:
    return [
        QA(
            qa_id=f"{prefix}-{n:04d}",
            fact_id=f"{prefix}-{n:04d}",
            person_id="muse",
            category="knowmem",
            question=row.question,
            answer=row.answer,
            forget=forget,
            correlated=False,
        )
        for n, row in enumerate(rows)
    ]


def import_benchmark(settings: dict, outputs: dict) -> dict:
    """Write MUSE's tables as the workflow's data files (`outputs`: MUSE_FILES keys plus
    `report`); returns the report."""
    source, retain = settings["source"], settings["retain_split"]
    corpora = {
        "forget": load_rows(source, FORGET, TextRow),
        "retain": load_rows(source, f"raw/{retain}", TextRow),
        **{role: load_rows(source, table, TextRow) for role, table in PRIVLEAK.items()},
    }
    verbatim = load_rows(source, VERBMEM, MuseVerbatim)
    knowledge = {role: load_rows(source, table, MuseQA) for role, table in KNOWMEM.items()}

    for role, rows in corpora.items():
        write_jsonl(outputs[role], passages(rows, f"muse-{role}"))
    write_jsonl(
        outputs["verbmem"],
        [
            Continuation(
                continuation_id=f"muse-verbmem-{n:04d}", prompt=row.prompt, continuation=row.gt
            )
            for n, row in enumerate(verbatim)
        ],
    )
    for role, rows in knowledge.items():
        write_jsonl(outputs[role], qa_rows(rows, f"muse-{role}", forget="forget" in role))
    report = {
        "passed": True,
        "benchmark": "muse",
        "source": source,
        "tables": source_tables(settings),
        "counts": {
            **{role: len(rows) for role, rows in corpora.items()},
            "verbmem": len(verbatim),
            **{role: len(rows) for role, rows in knowledge.items()},
        },
    }
    write_json(outputs["report"], report)
    return report
