"""On-disk cache of LLM responses: a re-run or a resumed run never pays twice for a call."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..atomic import write_text_atomic


class ResponseCache:
    """One JSON file per request, keyed by the hash of everything that determines it.

    The key covers endpoint, model, messages, sampling settings, response format and
    seed; never the API key. Writes are atomic, so a killed run leaves no torn entry.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    @staticmethod
    def key(request: dict) -> str:
        return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        path = self._path(key)
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def put(self, key: str, response: dict) -> None:
        write_text_atomic(self._path(key), json.dumps(response))
