"""A published benchmark's tables, from the Hugging Face Hub or from a local folder.

A table is named `CONFIG` (the Hub config's `train` split, as TOFU publishes its
tables) or `CONFIG/SPLIT` (as MUSE does). `benchmark.source` is either a folder holding
each table as `NAME.json` (JSON lines or one JSON array), `NAME.jsonl` or
`NAME.parquet` (`CONFIG/SPLIT` a file in a subfolder, the Hub repository's own layout),
or a Hub dataset id, read with `datasets.load_dataset(source, CONFIG, split=SPLIT)` (the
code path of a machine with internet). Every row is checked against the table's record
type: a missing field or a wrong type names the file, the row and the field.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlparse

if TYPE_CHECKING:  # the DAG imports this module: pydantic only where rows are read
    from pydantic import BaseModel

Row = TypeVar("Row", bound="BaseModel")
EXTENSIONS = (".json", ".jsonl", ".parquet")


class SourceError(ValueError):
    """A benchmark source that cannot give a table, or a table with a bad row."""


def is_local(source: str) -> bool:
    """A folder (one that exists, or a path that says it is one), not a Hub id."""
    return Path(source).is_dir() or source.startswith((".", "/", "~")) or source.endswith("/")


def hub_table(name: str) -> tuple[str, str]:
    """(config, split) of table `name`."""
    config, _, split = name.partition("/")
    return config, split or "train"


def table_file(folder: Path, name: str) -> Path | None:
    found = [folder / f"{name}{extension}" for extension in EXTENSIONS]
    return next((path for path in found if path.is_file()), None)


def expected_files(names: list[str]) -> str:
    return ", ".join(f"{name}.json|.jsonl|.parquet" for name in names)


def hub_reachable() -> bool:
    """Whether the Hub (HF_ENDPOINT's host) resolves and offline mode is off; checked
    before any job, where `datasets` would retry for half a minute and then fail."""
    if os.environ.get("HF_HUB_OFFLINE", "0").lower() not in ("0", "false", ""):
        return False
    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname
    try:
        socket.getaddrinfo(host, 443)
    except OSError:
        return False
    return True


def source_problems(source: str, names: list[str], needs_hub: bool = True) -> list[str]:
    """What keeps `source` from giving the tables `names`: a local folder that lacks
    some, or a Hub id that cannot be reached (where `needs_hub`)."""
    if is_local(source):
        missing = [name for name in names if table_file(Path(source), name) is None]
        if missing:
            return [f"config key benchmark.source: {source} lacks {expected_files(missing)}"]
        return []
    if needs_hub and not hub_reachable():
        return [
            f"config key benchmark.source: {source} is a Hugging Face Hub id and the Hub"
            f" cannot be reached; offline, give a local folder with {expected_files(names)}"
        ]
    return []


def load_rows(source: str, name: str, row_type: type[Row]) -> list[Row]:
    """Table `name` of `source` as checked records."""
    from datasets import load_dataset

    if is_local(source):
        path = table_file(Path(source), name)
        if path is None:
            raise SourceError(
                f"config key benchmark.source: {source} has no table {name!r}"
                f" (expected {expected_files([name])})"
            )
        builder = "parquet" if path.suffix == ".parquet" else "json"
        where = str(path)
        try:
            table = load_dataset(builder, data_files=where, split="train")
        except Exception as error:  # noqa: BLE001 - any reader error: name the file's fault
            raise SourceError(first_bad_line(path) or f"{path}: unreadable ({error})") from None
    else:
        problems = source_problems(source, [name])
        if problems:
            raise SourceError(problems[0])
        where = f"{source} (Hub), table {name}"
        try:
            config, split = hub_table(name)
            table = load_dataset(source, config, split=split)
        except Exception as error:  # noqa: BLE001 - offline, unknown id or table
            raise SourceError(
                f"config key benchmark.source: cannot load {where} ({type(error).__name__}:"
                f" {error}); offline, give a local folder with {expected_files([name])}"
            ) from None
    return checked_rows(table, where, row_type)


def checked_rows(rows, where: str, row_type: type[Row]) -> list[Row]:
    from pydantic import ValidationError

    from ..jsonl import summarize

    checked = []
    for number, row in enumerate(rows, start=1):
        present = {key: value for key, value in row.items() if value is not None}
        try:
            checked.append(row_type.model_validate(present))
        except ValidationError as error:
            raise SourceError(f"{where}, row {number}: {summarize(error)}") from None
    return checked


def first_bad_line(path: Path) -> str | None:
    """Where a JSON-lines file that a reader rejected goes wrong: a line that is no JSON
    object, or a field whose type differs from the first line's."""
    if path.suffix == ".parquet":
        return None
    types: dict[str, type] = {}
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                return f"{path}, row {number}: bad JSON ({error})"
            if not isinstance(row, dict):
                return f"{path}, row {number}: not a JSON object"
            for field, value in row.items():
                kind = types.setdefault(field, type(value))
                if value is not None and kind is not type(None) and type(value) is not kind:
                    return (
                        f"{path}, row {number}: field {field}: a {type(value).__name__},"
                        f" where earlier rows have a {kind.__name__}"
                    )
    return None
