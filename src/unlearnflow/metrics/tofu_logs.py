"""TOFU-format eval logs (locuslab/tofu evaluate_util.py) as our per-item scores.

A TOFU checkpoint folder holds `eval_log.json` (retain), `eval_log_forget.json`,
`eval_real_author_wo_options.json` and `eval_real_world_wo_options.json`, each
mapping metric -> item index -> value. Reading them lets published TOFU results
sit beside ours, computed by the same code.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .utility import SplitScores, tofu_summary

LOG_FILES = {
    "retain": "eval_log.json",
    "forget": "eval_log_forget.json",
    "real_authors": "eval_real_author_wo_options.json",
    "world_facts": "eval_real_world_wo_options.json",
}


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


def summarize_tofu_logs(checkpoint: Path, retain_model: Path) -> dict:
    """TOFU's summary of `checkpoint`, with forget quality against `retain_model`'s logs."""
    splits = read_checkpoint_logs(checkpoint)
    gold_forget = read_checkpoint_logs(retain_model, ("forget",))["forget"]
    return tofu_summary(splits, gold_forget)
