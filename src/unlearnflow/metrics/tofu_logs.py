"""TOFU-format eval logs (locuslab/tofu evaluate_util.py) as our per-item scores.

A TOFU checkpoint folder holds `eval_log.json` (retain), `eval_log_forget.json`,
`eval_real_author_wo_options.json` and `eval_real_world_wo_options.json`, each
mapping metric -> item index -> value. Reading them lets published TOFU results
sit beside ours, computed by the same code; writing them lets TOFU's own
`aggregate_eval_stat.py` read ours. Its fields (locuslab/tofu evaluate_util.py,
aggregate_eval_stat.py): `avg_gt_loss` (the answer's mean token loss),
`avg_paraphrased_loss`, `average_perturb_loss` (one per wrong answer) and
`rougeL_recall`; a real-world set's paraphrased loss is its answer's own.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..jsonl import write_json
from ..plan import TOFU_LOG_FILES as LOG_FILES
from .utility import SplitScores, tofu_summary


def read_eval_log(path: Path) -> SplitScores:
    log = json.loads(Path(path).read_text())

    def column(key: str) -> np.ndarray:
        return np.array([log[key][index] for index in log[key]], dtype=np.float64)

    return SplitScores(
        answer_loss=column("avg_gt_loss"),
        paraphrased_loss=column("avg_paraphrased_loss"),
        wrong_losses=column("average_perturb_loss"),
        rouge_l=column("rougeL_recall"),
    )


def read_checkpoint_logs(folder: Path, splits=tuple(LOG_FILES)) -> dict[str, SplitScores]:
    folder = Path(folder)
    missing = [LOG_FILES[split] for split in splits if not (folder / LOG_FILES[split]).exists()]
    if missing:
        raise FileNotFoundError(f"{folder}: not a TOFU eval folder, missing {', '.join(missing)}")
    return {split: read_eval_log(folder / LOG_FILES[split]) for split in splits}


def eval_log(items: list[dict]) -> dict:
    """One split of our evaluation (its per-item scores) as a TOFU eval log."""
    columns = {
        "avg_gt_loss": "answer_loss",
        "avg_paraphrased_loss": "paraphrased_loss",
        "average_perturb_loss": "wrong_losses",
        "rougeL_recall": "rouge_l",
    }
    return {
        theirs: {str(index): item[ours] for index, item in enumerate(items)}
        for theirs, ours in columns.items()
    }


def write_checkpoint_logs(evaluation: dict, paths: dict[str, str]) -> None:
    """A model's evaluation (`results/eval/MODEL.json`) as TOFU eval logs, one file per
    split (`plan.tofu_log_paths`)."""
    for split, path in paths.items():
        write_json(path, eval_log(evaluation["splits"][split]["items"]))


def summarize_tofu_logs(checkpoint: Path, retain_model: Path) -> dict:
    """TOFU's summary of `checkpoint`, with forget quality against `retain_model`'s logs."""
    splits = read_checkpoint_logs(checkpoint)
    gold_forget = read_checkpoint_logs(retain_model, ("forget",))["forget"]
    return tofu_summary(splits, gold_forget)
