"""Outputs that appear whole or not at all: written beside their place, then renamed."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def whole_directory(path: str | Path) -> Iterator[Path]:
    """A temporary sibling folder to write `path`'s files into; renamed to `path` when
    the block completes, removed when it fails. A killed job leaves no folder at `path`
    that could pass for complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.partial-*"):  # left by a killed job
        shutil.rmtree(stale, ignore_errors=True)
    partial = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.partial-"))
    try:
        yield partial
        os.chmod(partial, 0o777 & ~current_umask())  # mkdtemp's is 0700
        if path.exists():
            shutil.rmtree(path)
        partial.rename(path)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def linked_copy(source: str | Path, output: str | Path) -> None:
    """The files of the folder `source` hard-linked into the folder `output` (no bytes
    copied), which appears whole or not at all."""
    with whole_directory(output) as folder:
        for file in Path(source).iterdir():
            os.link(file, folder / file.name)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write `text` to a temporary sibling file and rename it to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.chmod(temporary, 0o666 & ~current_umask())  # as open() would: mkstemp's is 0600
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
