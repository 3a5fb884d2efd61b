"""Model utility and forget quality (TOFU, Maini et al. 2024, section 2.5-2.6).

Model utility is the harmonic mean of the nine {ROUGE-L recall, Prob, truth ratio}
x {retain, real authors, world facts} scores. Forget quality is the p-value of a
two-sample Kolmogorov-Smirnov test between the unlearned model's and the gold
(retain-only) model's per-item truth ratios on the forget set: high when the
unlearned model is statistically indistinguishable from one never trained on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import hmean, ks_2samp

from .probability import answer_probabilities, normalized_answer_probabilities
from .truth_ratio import forget_truth_ratio_scores, retain_truth_ratio_scores, truth_ratios

UTILITY_SPLITS = ("retain", "real_authors", "world_facts")
METRICS = ("rouge_l", "prob", "truth_ratio")


@dataclass(frozen=True)
class SplitScores:
    """Per-item values of one split: length-normalised losses and ROUGE-L recall."""

    answer_loss: np.ndarray  # (n,)
    paraphrased_loss: np.ndarray  # (n,); the answer's own loss where there is no paraphrase
    wrong_losses: np.ndarray  # (n, k)
    rouge_l: np.ndarray  # (n,)

    def truth_ratios(self) -> np.ndarray:
        return truth_ratios(self.paraphrased_loss, self.wrong_losses)


def item_metrics(split: str, scores: SplitScores) -> dict[str, np.ndarray]:
    """Per item, the values whose means are TOFU's three numbers for one split; `split`
    picks the forget or the multiple-choice forms."""
    if split in ("real_authors", "world_facts"):
        prob = normalized_answer_probabilities(scores.answer_loss, scores.wrong_losses)
    else:
        prob = answer_probabilities(scores.answer_loss)
    ratio = forget_truth_ratio_scores if split == "forget" else retain_truth_ratio_scores
    return {
        "rouge_l": np.asarray(scores.rouge_l, dtype=np.float64),
        "prob": prob,
        "truth_ratio": ratio(scores.truth_ratios()),
    }


def split_metrics(split: str, scores: SplitScores) -> dict[str, float]:
    """TOFU's three numbers for one split: the means of `item_metrics`."""
    return {name: float(np.mean(values)) for name, values in item_metrics(split, scores).items()}


def model_utility(components: dict[str, float]) -> float:
    """Harmonic mean of the nine `{split}_{metric}` utility components."""
    return float(hmean([components[f"{s}_{m}"] for s in UTILITY_SPLITS for m in METRICS]))


def forget_quality(model_forget: SplitScores, gold_forget: SplitScores) -> dict[str, float]:
    test = ks_2samp(model_forget.truth_ratios(), gold_forget.truth_ratios())
    return {"forget_quality": float(test.pvalue), "ks_statistic": float(test.statistic)}


def tofu_summary(splits: dict[str, SplitScores], gold_forget: SplitScores) -> dict:
    """Model utility, forget quality, the nine utility components and the forget scores."""
    per_split = {name: split_metrics(name, scores) for name, scores in splits.items()}
    components = {
        f"{split}_{metric}": per_split[split][metric]
        for split in UTILITY_SPLITS
        for metric in METRICS
    }
    return {
        "model_utility": model_utility(components),
        **forget_quality(splits["forget"], gold_forget),
        "components": components,
        "forget": per_split["forget"],
    }
