"""A MUSE-shaped benchmark folder for the tests: muse-bench/MUSE-News's tables in their
published schema (`raw`: text; `verbmem`: prompt, gt; `knowmem`: question, answer;
`privleak`: text), as JSON lines in the Hub repository's CONFIG/SPLIT layout."""

from __future__ import annotations

import json
from pathlib import Path

TOWNS = ("Ashford", "Brackley", "Corby", "Dunmow", "Eyam", "Frome", "Goole", "Hythe")
EVENTS = ("a flood", "a festival", "a strike", "an election", "a fire", "a marathon")


def article(n: int) -> str:
    town, event = TOWNS[n % len(TOWNS)], EVENTS[n % len(EVENTS)]
    return (
        f"Residents of {town} woke on Monday to {event}. The council of {town} said that"
        f" {n + 3} streets were closed and that {event} would be discussed on Friday."
    )


def write_table(folder: Path, name: str, rows: list[dict]) -> None:
    path = folder / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def qa(n: int) -> dict:
    return {
        "question": f"How many streets were closed in {TOWNS[n % len(TOWNS)]}?",
        "answer": str(n + 3),
    }


def muse_folder(folder: Path) -> Path:
    """Articles 0-2 forgotten, 3-5 retained (retain1), 6-7 never trained on."""
    forget, retain, holdout = range(3), range(3, 6), range(6, 8)
    write_table(folder, "raw/forget", [{"text": article(n)} for n in forget])
    write_table(folder, "raw/retain1", [{"text": article(n)} for n in retain])
    write_table(folder, "raw/retain2", [{"text": article(n)} for n in retain[:1]])
    write_table(folder, "raw/holdout", [{"text": article(n)} for n in holdout])
    write_table(
        folder,
        "verbmem/forget",
        [{"prompt": article(n)[:40], "gt": article(n)[40:].lstrip()} for n in forget],
    )
    write_table(folder, "knowmem/forget_qa", [qa(n) for n in forget])
    write_table(folder, "knowmem/retain_qa", [qa(n) for n in retain])
    write_table(folder, "knowmem/forget_qa_icl", [qa(n) for n in holdout])
    write_table(folder, "knowmem/retain_qa_icl", [qa(n) for n in holdout])
    write_table(folder, "privleak/forget", [{"text": article(n)} for n in forget])
    write_table(folder, "privleak/holdout", [{"text": article(n)} for n in holdout])
    return folder
