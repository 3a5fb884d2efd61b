"""The sweep table: one row per model, every hyperparameter and every metric with its
interval over items (`{metric}_ci_low`, `{metric}_ci_high`; metrics/bootstrap.py): a
QA benchmark's TOFU metrics, a raw-text benchmark's own (MUSE: `{split}_rouge_l_f1`,
the memorization metrics), the membership attacks and privleak of every benchmark.

Model utility and forget quality (TOFU) are computed here from the per-item values in
each model's evaluation, forget quality against the gold (retain-only) model; so is
privleak (MUSE), from both models' Min-K% scores; the retain gap: correlated minus
other retain facts' ROUGE-L (the collateral damage that follows the forget fact); the
real-world ROUGE-L: the mean of the real-authors and world-facts ROUGE-L, the utility
the seed-scale experiment reports, which moves where TOFU's harmonic mean is 0; and,
per retain subset, the share of the items the model answers (ROUGE-L ≥ ANSWERED) on
which it prefers the paraphrased true answer to the wrong ones (truth ratio > 1): a
truth ratio that measures knowledge keeps it near 1 for a model that learned the set.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from scipy.stats import hmean, ks_2samp

from .jsonl import write_json
from .metrics.bootstrap import Bootstrap
from .metrics.mia import membership_auc, privleak
from .metrics.utility import (
    METRICS,
    UTILITY_SPLITS,
    SplitScores,
    forget_quality,
    item_metrics,
    model_utility,
)
from .plan import model_columns

SUBSETS = ("forget", "retain", "retain_correlated", "retain_other", "real_authors", "world_facts")
MEMORIZATION = ("exact_memorization", "extraction_strength")
# the real-world QA sets whose mean ROUGE-L is the seed-scale experiment's utility
REAL_WORLD = ("real_authors", "world_facts")
# the attack whose AUC privleak compares (open-unlearning's, on TOFU and on MUSE:
# configs/eval/tofu_metrics/privleak.yaml, configs/eval/muse_metrics/privleak.yaml)
PRIVLEAK_ATTACK = "min_k"
# ROUGE-L recall from which a retain item counts as answered, for `truth_preferred`
ANSWERED = 0.95


def split_scores(evaluation: dict, split: str) -> SplitScores:
    items = evaluation["splits"][split]["items"]
    return SplitScores(
        answer_loss=np.array([i["answer_loss"] for i in items], dtype=float),
        paraphrased_loss=np.array([i["paraphrased_loss"] for i in items], dtype=float),
        wrong_losses=np.array([i["wrong_losses"] for i in items], dtype=float),
        rouge_l=np.array([i["rouge_l"] for i in items], dtype=float),
    )


def item_values(evaluation: dict, split: str) -> dict[str, np.ndarray]:
    """Per item of `split`, every value a split metric is the mean of: TOFU's metrics of
    a QA split; of a benchmark's own split (MUSE's), the numbers each item carries."""
    items = evaluation["splits"][split]["items"]
    if "answer_loss" not in items[0]:
        return {
            key: np.array([item[key] for item in items], dtype=float)
            for key, value in items[0].items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        }
    values = item_metrics(split, split_scores(evaluation, split))
    for key in MEMORIZATION:
        values[key] = np.array([item[key] for item in items], dtype=float)
    return values


def _clean(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _utility_statistic(values: dict[str, dict[str, np.ndarray]]):
    """Model utility over independently resampled retain, real-author and world-fact items;
    0 where a component is not positive (the harmonic mean is then undefined or 0)."""

    def statistic(*indices, axis):
        components = np.stack(
            [
                values[split][metric][index].mean(axis=axis)
                for split, index in zip(UTILITY_SPLITS, indices, strict=True)
                for metric in METRICS
            ]
        )
        positive = (components > 0).all(axis=0)
        return np.where(positive, hmean(np.where(positive, components, 1.0), axis=0), 0.0)

    return statistic


def put_tofu_aggregates(put, row: dict, values: dict, evaluation: dict, gold: dict, resampling):
    """TOFU's model utility and forget quality (against the gold model), for a benchmark
    with its QA splits."""
    components = {f"{s}_{m}": row[f"{s}_{m}"] for s in UTILITY_SPLITS for m in METRICS}
    valid = all(v > 0 for v in components.values())
    put(
        "model_utility",
        model_utility(components) if valid else 0.0,
        resampling.interval(
            _utility_statistic(values), *(len(values[s]["rouge_l"]) for s in UTILITY_SPLITS)
        ),
    )
    model_forget, gold_forget = split_scores(evaluation, "forget"), split_scores(gold, "forget")
    model_tr, gold_tr = model_forget.truth_ratios(), gold_forget.truth_ratios()
    quality = forget_quality(model_forget, gold_forget)
    put(
        "forget_quality",
        quality["forget_quality"],
        resampling.interval(
            lambda index, axis: ks_2samp(model_tr[index], gold_tr[index], axis=axis).pvalue,
            len(model_tr),
        ),
    )
    row["ks_statistic"] = quality["ks_statistic"]


def put_membership(put, mia: dict, gold_mia: dict, resampling) -> None:
    """Every attack's AUC, and privleak against the gold model's AUC (where the
    benchmark has non-members: not WMDP)."""
    for attack, scores in mia["scores"].items():
        forget, holdout = np.array(scores["forget"]), np.array(scores["holdout"])
        put(
            f"mia_auc_{attack}",
            mia["auc"][attack],
            resampling.interval(
                lambda f, h, axis, forget=forget, holdout=holdout: membership_auc(
                    forget[f], holdout[h], axis=axis
                ),
                len(forget),
                len(holdout),
            ),
        )
    own, reference = mia["scores"], gold_mia["scores"]
    pairs = [
        (np.array(scores[PRIVLEAK_ATTACK]["forget"]), np.array(scores[PRIVLEAK_ATTACK]["holdout"]))
        for scores in (own, reference)
    ]

    def privleak_statistic(f, h, axis):
        aucs = [membership_auc(forget[f], holdout[h], axis=axis) for forget, holdout in pairs]
        return np.vectorize(privleak)(*aucs)

    put(
        "privleak",
        privleak(mia["auc"][PRIVLEAK_ATTACK], gold_mia["auc"][PRIVLEAK_ATTACK]),
        resampling.interval(privleak_statistic, len(pairs[0][0]), len(pairs[0][1])),
    )


def model_row(
    name: str, evaluation: dict, train_log: dict | None, gold: dict, resampling: Bootstrap
) -> dict:
    row = model_columns(name)
    row["diverged"] = bool(train_log and train_log.get("diverged"))
    row["diverged_step"] = train_log.get("diverged_step") if train_log else None
    row["train_seconds"] = train_log.get("seconds") if train_log else None
    row["eval_seconds"] = evaluation["seconds"]

    def put(key, value, interval):
        row[key] = value
        row[f"{key}_ci_low"], row[f"{key}_ci_high"] = interval

    splits = evaluation["splits"]
    ordered = [s for s in SUBSETS if s in splits] + [s for s in splits if s not in SUBSETS]
    values = {s: item_values(evaluation, s) for s in ordered}
    for split, metrics in values.items():
        for metric, per_item in metrics.items():
            put(f"{split}_{metric}", float(np.mean(per_item)), resampling.mean_interval(per_item))

    for split in ("retain_correlated", "retain_other"):
        if split not in values:
            continue
        scores = split_scores(evaluation, split)
        known = scores.rouge_l >= ANSWERED
        preferred = (scores.truth_ratios() > 1)[known].astype(float)
        put(
            f"{split}_truth_preferred",
            float(preferred.mean()) if known.any() else None,
            resampling.mean_interval(preferred) if known.any() else (None, None),
        )

    if "retain_correlated" in values and "retain_other" in values:
        correlated = values["retain_correlated"]["rouge_l"]
        other = values["retain_other"]["rouge_l"]
        put(
            "retain_gap_rouge_l",
            float(correlated.mean() - other.mean()),
            resampling.interval(
                lambda i, j, axis: correlated[i].mean(axis=axis) - other[j].mean(axis=axis),
                len(correlated),
                len(other),
            ),
        )

    if all(split in values for split in REAL_WORLD):
        authors, facts = (values[split]["rouge_l"] for split in REAL_WORLD)
        put(
            "real_world_rouge_l",
            float((authors.mean() + facts.mean()) / 2),
            resampling.interval(
                lambda i, j, axis: (authors[i].mean(axis=axis) + facts[j].mean(axis=axis)) / 2,
                len(authors),
                len(facts),
            ),
        )

    if all(split in values for split in UTILITY_SPLITS):
        put_tofu_aggregates(put, row, values, evaluation, gold, resampling)

    if evaluation["mia"] is not None:
        put_membership(put, evaluation["mia"], gold["mia"], resampling)
    leaked = [probe["leaked"] for probe in evaluation["probes"]]
    interval = resampling.mean_interval(leaked) if leaked else (None, None)
    put("leakage_rate", evaluation["leakage_rate"], interval)
    return {key: _clean(value) for key, value in row.items()}


def harness_columns(harness: dict, resampling: Bootstrap) -> dict:
    """`lm_eval_{task}_{metric}` of a model's harness results (harness.py), each with
    its interval over the task's documents."""
    row = {}
    for task, metrics in harness["tasks"].items():
        for metric, scores in metrics.items():
            key = f"lm_eval_{task}_{metric}"
            row[key] = scores["value"]
            per_document = scores["per_document"]
            ends = resampling.mean_interval(per_document) if per_document else (None, None)
            row[f"{key}_ci_low"], row[f"{key}_ci_high"] = ends
    return row


def sweep_results(
    evaluations: dict[str, Path],
    train_logs: dict[str, Path],
    golds: dict[str, str],
    bootstrap: dict,
    output_json: Path,
    output_csv: Path,
    harness: dict[str, Path] | None = None,
) -> None:
    """`golds` names, per model, the gold model it is compared with; `bootstrap` holds
    the intervals' `resamples`, `confidence` and `seed`; `harness`, where the run asks
    lm-evaluation-harness for tasks, each model's results."""
    import pandas as pd

    resampling = Bootstrap(**bootstrap)
    loaded = {name: json.loads(Path(path).read_text()) for name, path in evaluations.items()}
    rows = [
        model_row(
            name,
            evaluation,
            json.loads(Path(train_logs[name]).read_text()) if name in train_logs else None,
            loaded[golds[name]],
            resampling,
        )
        for name, evaluation in loaded.items()
    ]
    for row in rows:
        if harness and row["model"] in harness:
            results = json.loads(Path(harness[row["model"]]).read_text())
            row.update(harness_columns(results, resampling))
    write_json(output_json, rows)
    pd.DataFrame(rows).to_csv(output_csv, index=False)
