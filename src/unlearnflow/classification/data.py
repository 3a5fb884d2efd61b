"""The classification track's labelled texts: train, validation and test splits of
`{"text", "label"}` rows, and which class is forgotten.

Sources (`classification.source`):
- `synthetic`: the benchmark the workflow generates, each fact sentence labelled by its
  category. The benchmark's people train; the held-out people, whom no model ever sees,
  alternate between validation and test. The categories are the classes, so that
  forgetting one (the forget set's category by default) removes a kind of knowledge
  the generation track forgets fact by fact.
- a local folder holding `train`, `test` and optionally `validation` tables (`.csv`,
  `.jsonl`, `.json` or `.parquet`), or a Hub dataset id with those splits, read through
  `datasets`; without a validation split, a seeded share of train becomes one.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from ..atomic import write_text_atomic
from ..benchmarks.source import is_local

SPLITS = ("train", "validation", "test")
EXTENSIONS = {".csv": "csv", ".jsonl": "json", ".json": "json", ".parquet": "parquet"}
SYNTHETIC = "synthetic"


class ClassificationDataError(ValueError):
    """Labelled texts the classification track cannot use; names the key, file and row."""


def synthetic_splits(facts: Path, profiles: Path) -> dict[str, list[dict]]:
    """Fact sentences labelled by category: the benchmark's people train; the held-out
    people alternate, in their order, between validation and test."""
    people = [json.loads(line) for line in Path(profiles).read_text().splitlines() if line]
    held_out = [person["person_id"] for person in people if person["holdout"]]
    split_of = {person["person_id"]: "train" for person in people if not person["holdout"]}
    split_of |= {person: SPLITS[1 + index % 2] for index, person in enumerate(held_out)}
    splits = {split: [] for split in SPLITS}
    for line in Path(facts).read_text().splitlines():
        fact = json.loads(line)
        row = {"id": fact["fact_id"], "text": fact["text"], "label": fact["category"]}
        splits[split_of[fact["person_id"]]].append(row)
    return splits


def _local_table(folder: Path, split: str):
    from datasets import load_dataset

    found = [folder / f"{split}{extension}" for extension in EXTENSIONS]
    path = next((path for path in found if path.is_file()), None)
    if path is None:
        return None, None
    try:
        table = load_dataset(EXTENSIONS[path.suffix], data_files=str(path), split="train")
    except Exception as error:  # noqa: BLE001 - any reader error: name the file
        raise ClassificationDataError(f"{path}: unreadable ({error})") from None
    return table, str(path)


def _tables(source: str) -> dict[str, tuple[object, str]]:
    """split -> (datasets table, where it comes from) for the splits `source` has."""
    if is_local(source):
        folder = Path(source)
        tables = {split: _local_table(folder, split) for split in SPLITS}
        return {split: table for split, table in tables.items() if table[0] is not None}
    from datasets import load_dataset

    try:
        hub = load_dataset(source)
    except Exception as error:  # noqa: BLE001 - offline, unknown id
        raise ClassificationDataError(
            f"config key classification.source: cannot load {source} from the Hub"
            f" ({type(error).__name__}: {error}); offline, give a local folder with"
            " train and test tables"
        ) from None
    return {
        split: (hub[split], f"{source} (Hub), split {split}") for split in SPLITS if split in hub
    }


def _rows(table, where: str, text_column: str, label_column: str, split: str) -> list[dict]:
    for key, column in (("text_column", text_column), ("label_column", label_column)):
        if column not in table.column_names:
            raise ClassificationDataError(
                f"config key classification.{key}: {where} has no column {column!r}"
                f" (its columns: {', '.join(table.column_names)})"
            )
    names = getattr(table.features[label_column], "names", None)
    rows = []
    for number, row in enumerate(table, start=1):
        text, label = row[text_column], row[label_column]
        if not isinstance(text, str) or not text.strip() or label is None:
            raise ClassificationDataError(
                f"{where}, row {number}: {text_column!r} must be non-empty text and"
                f" {label_column!r} a label"
            )
        label = names[label] if names else str(label)
        rows.append({"id": f"{split}-{number}", "text": text, "label": label})
    return rows


def dataset_splits(
    source: str, text_column: str, label_column: str, validation_share: float, seed: int
) -> dict[str, list[dict]]:
    """The splits of a local folder or a Hub dataset as rows; a missing validation split
    is a seeded `validation_share` of train."""
    tables = _tables(source)
    missing = [split for split in ("train", "test") if split not in tables]
    if missing:
        raise ClassificationDataError(
            f"config key classification.source: {source} has no {' or '.join(missing)} split"
            f" (a folder: {'/'.join(missing)}.csv|.jsonl|.json|.parquet)"
        )
    splits = {
        split: _rows(table, where, text_column, label_column, split)
        for split, (table, where) in tables.items()
    }
    if "validation" not in splits:
        train = splits["train"]
        random.Random(seed).shuffle(train)
        cut = max(1, round(validation_share * len(train)))
        splits["validation"], splits["train"] = train[:cut], train[cut:]
    return splits


def class_plan(splits: dict[str, list[dict]], forget_class: str, where: str) -> dict:
    """The classes (sorted), the forgotten one and the retained ones; a forget class
    that no training row carries is an error naming the key."""
    classes = sorted({row["label"] for row in splits["train"]})
    if forget_class not in classes:
        raise ClassificationDataError(
            f"config key classification.forget_class: {forget_class!r} is not a label of"
            f" {where} (its labels: {', '.join(classes)})"
        )
    if len(classes) < 3:
        raise ClassificationDataError(
            f"{where}: {len(classes)} classes; forgetting one needs at least three, so that"
            " the gold model still has two to tell apart"
        )
    unknown = {
        f"{split}: {row['label']!r}"
        for split, rows in splits.items()
        for row in rows
        if row["label"] not in classes
    }
    if unknown:
        raise ClassificationDataError(
            f"{where}: labels that no training row carries: {', '.join(sorted(unknown))}"
        )
    return {
        "classes": classes,
        "forget_class": forget_class,
        "retain_classes": [label for label in classes if label != forget_class],
    }


def write_classification_data(
    source: str,
    text_column: str,
    label_column: str,
    forget_class: str,
    validation_share: float,
    seed: int,
    output: dict[str, Path],
    facts: Path | None = None,
    profiles: Path | None = None,
) -> None:
    """Each split as JSON lines at `output[split]`, and the class plan at
    `output["classes"]`."""
    if source == SYNTHETIC:
        splits, where = synthetic_splits(facts, profiles), f"{facts} (categories)"
    else:
        splits = dataset_splits(source, text_column, label_column, validation_share, seed)
        where = source
    plan = class_plan(splits, forget_class, where)
    for split, rows in splits.items():
        write_text_atomic(output[split], "".join(json.dumps(row) + "\n" for row in rows))
    write_text_atomic(output["classes"], json.dumps(plan, indent=1) + "\n")


def read_split(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line]
