"""The representation table: every model's layer drift and logit lens, one row per layer.

`drift` rows: model, method, hyperparameters, split (forget or retain questions),
reference (fine-tuned or gold model), layer, cosine, delta_norm, unembedded_delta_norm.
`logit_lens` rows: model, method, hyperparameters, layer, forget_answer_prob.
"""

from __future__ import annotations

import json
from pathlib import Path

from .jsonl import write_json


def _model_columns(name: str, train_log: dict | None) -> dict:
    columns = {"model": name, "method": train_log["method"] if train_log else name}
    columns.update((train_log or {}).get("hparams", {}))
    return columns


def repr_results(drifts: dict[str, Path], train_logs: dict[str, Path], output_json: Path) -> None:
    drift_rows, lens_rows = [], []
    for name, path in drifts.items():
        result = json.loads(Path(path).read_text())
        log = json.loads(Path(train_logs[name]).read_text()) if name in train_logs else None
        columns = _model_columns(name, log)
        for split, references in result["drift"].items():
            for reference, measures in references.items():
                for n, layer in enumerate(result["layers"]):
                    values = {measure: series[n] for measure, series in measures.items()}
                    drift_rows.append(
                        {
                            **columns,
                            "split": split,
                            "reference": reference,
                            "layer": layer,
                            **values,
                        }
                    )
        for layer, prob in zip(result["layers"], result["logit_lens"]["answer_prob"], strict=True):
            lens_rows.append({**columns, "layer": layer, "forget_answer_prob": prob})
    write_json(output_json, {"drift": drift_rows, "logit_lens": lens_rows})
