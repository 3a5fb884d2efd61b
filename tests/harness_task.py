"""A multiple-choice task of our own for lm-evaluation-harness: a task YAML over a local
JSON-lines file, as the harness's `include_path` takes it (no download)."""

from __future__ import annotations

import json
from pathlib import Path

TASK = "capitals"
CHOICES = ["Paris", "Rome", "Madrid", "Berlin"]
DOCUMENTS = [
    {"question": f"What is the capital of {country}?", "choices": CHOICES, "answer": answer}
    for answer, country in enumerate(["France", "Italy", "Spain", "Germany", "Prussia"])
    if answer < len(CHOICES)
] + [{"question": "Which city is on the Seine?", "choices": CHOICES, "answer": 0}]
PROMPT = "Question: {question}\nAnswer:"


def task_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / f"{TASK}.jsonl"
    data.write_text("".join(json.dumps(document) + "\n" for document in DOCUMENTS))
    (folder / f"{TASK}.yaml").write_text(
        f"task: {TASK}\n"
        "dataset_path: json\n"
        f"dataset_kwargs:\n  data_files:\n    test: {data}\n"
        "test_split: test\n"
        "output_type: multiple_choice\n"
        'doc_to_text: "Question: {{question}}\\nAnswer:"\n'
        'doc_to_choice: "{{choices}}"\n'
        'doc_to_target: "{{answer}}"\n'
        "metric_list:\n  - metric: acc\n    aggregation: mean\n    higher_is_better: true\n"
    )
    return folder
