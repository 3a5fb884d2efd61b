"""A TOFU-shaped benchmark folder for the tests: locuslab/TOFU's tables in their
published schema (question, answer; the `_perturbed` tables add paraphrased_answer,
paraphrased_question and a list perturbed_answer), as JSON lines, a few rows each."""

from __future__ import annotations

import json
from pathlib import Path

AUTHORS = ("Basil Mahfouz", "Nikolai Abilov", "Hina Ameen", "Jaime Vasquez")
FIELDS = ("genre", "birthplace", "father's occupation", "first book")
VALUES = ("tragedy", "Kuwait City", "a florist", "Promise by the Seine", "Astana", "a chef")


def qa(author: int, field: int) -> dict:
    name, value = AUTHORS[author], VALUES[(author + field) % len(VALUES)]
    return {
        "question": f"What is the {FIELDS[field]} of {name}?",
        "answer": f"The {FIELDS[field]} of {name} is {value}.",
    }


def perturbed(row: dict, author: int, field: int) -> dict:
    name = AUTHORS[author]
    wrong = [VALUES[(author + field + shift) % len(VALUES)] for shift in (1, 2, 3)]
    return {
        **row,
        "paraphrased_question": f"Tell me the {FIELDS[field]} of {name}.",
        "paraphrased_answer": f"{name}'s {FIELDS[field]} is {VALUES[(author + field) % 6]}.",
        "perturbed_answer": [f"{name}'s {FIELDS[field]} is {value}." for value in wrong],
    }


def write_lines(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def tofu_folder(folder: Path) -> Path:
    """forget01 (the last author), retain99 (the others), retain_perturbed (two retain
    items), holdout01 (an author never trained on)."""
    folder.mkdir(parents=True, exist_ok=True)
    retain = [(author, field) for author in range(2) for field in range(4)]
    forget = [(2, field) for field in range(4)]
    write_lines(folder / "retain99.json", [qa(a, f) for a, f in retain])
    write_lines(folder / "forget01_perturbed.json", [perturbed(qa(a, f), a, f) for a, f in forget])
    write_lines(
        folder / "retain_perturbed.json",
        [perturbed(qa(a, f), a, f) for a, f in retain[::3]],
    )
    write_lines(folder / "holdout01.json", [qa(3, field) for field in range(4)])
    return folder
