"""The representation table: every model's layer drift and logit lens, one row per layer.

`drift` rows: model, its point and seed (plan.py), method, hyperparameters, split
(forget or retain questions), reference (finetuned or retain_only: its seed's fine-tuned
or gold model), layer, cosine, delta_norm, unembedded_delta_norm, each with its interval
over the questions.
`logit_lens` rows: the same model columns, layer, forget_answer_prob.
"""

from __future__ import annotations

import json
from pathlib import Path

from .jsonl import write_json
from .metrics.bootstrap import Bootstrap
from .plan import model_columns


def repr_results(drifts: dict[str, Path], bootstrap: dict, output_json: Path) -> None:
    """`bootstrap` holds the intervals' `resamples`, `confidence` and `seed`: each drift
    value's interval over the questions."""
    resampling = Bootstrap(**bootstrap)
    drift_rows, lens_rows = [], []
    for name, path in drifts.items():
        result = json.loads(Path(path).read_text())
        columns = model_columns(name)
        for split, references in result["drift"].items():
            for reference, measures in references.items():
                for n, layer in enumerate(result["layers"]):
                    row = {**columns, "split": split, "reference": reference, "layer": layer}
                    for measure, per_question in measures["items"].items():
                        row[measure] = measures[measure][n]
                        interval = resampling.mean_interval(per_question[n])
                        row[f"{measure}_ci_low"], row[f"{measure}_ci_high"] = interval
                    drift_rows.append(row)
        for layer, prob in zip(result["layers"], result["logit_lens"]["answer_prob"], strict=True):
            lens_rows.append({**columns, "layer": layer, "forget_answer_prob": prob})
    write_json(output_json, {"drift": drift_rows, "logit_lens": lens_rows})
