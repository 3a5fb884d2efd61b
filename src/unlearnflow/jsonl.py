"""Typed JSONL files: every line one pydantic record, errors name the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from .atomic import write_text_atomic

Record = TypeVar("Record", bound=BaseModel)


class DataFileError(ValueError):
    """A data file holds a line that is not a valid record."""


def read_jsonl(path: str | Path, record_type: type[Record]) -> list[Record]:
    """Read every line of `path` as a `record_type`; a bad line raises with `file:line`."""
    records = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                records.append(record_type.model_validate(json.loads(line)))
            except json.JSONDecodeError as error:
                raise DataFileError(
                    f"{path}:{number}: not a valid {record_type.__name__} record:"
                    f" bad JSON ({error})"
                ) from None
            except ValidationError as error:
                raise DataFileError(
                    f"{path}:{number}: not a valid {record_type.__name__} record:"
                    f" {summarize(error)}"
                ) from None
    return records


def summarize(error: ValidationError) -> str:
    """One line: 'field: problem; field: problem'."""
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in error.errors()
    )


def write_jsonl(path: str | Path, records: Iterable[BaseModel]) -> None:
    """Write records one per line, atomically: a crash never leaves half a file."""
    write_text_atomic(path, "".join(record.model_dump_json() + "\n" for record in records))


def write_json(path: str | Path, value: object) -> None:
    """Write a JSON document atomically, indented for humans."""
    write_text_atomic(path, json.dumps(value, indent=2, sort_keys=False) + "\n")
