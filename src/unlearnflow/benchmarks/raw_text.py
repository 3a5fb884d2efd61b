"""What the raw-text benchmarks (MUSE, WMDP) share: a corpus row, and the chunk length
they train in (`benchmark.max_length`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TextRow(BaseModel):
    """A corpus document as published: its `text` (other fields kept, unread)."""

    model_config = ConfigDict(extra="allow")

    text: str = Field(min_length=1)


def max_length_problems(settings: dict, published: str) -> list[str]:
    """`benchmark.max_length` checked: a positive number of tokens; `published` names the
    benchmark's own value for the message."""
    length = settings.get("max_length")
    if isinstance(length, int) and not isinstance(length, bool) and length >= 1:
        return []
    return [
        f"config key benchmark.max_length: {length!r} is not a positive number of tokens"
        f" ({published})"
    ]
