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

from .probability import answer_probability, normalized_answer_probability
from .truth_ratio import forget_truth_ratio, retain_truth_ratio, truth_ratios

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


def split_metrics(split: str, scores: SplitScores) -> dict[str, float]:
    """TOFU's three numbers for one split; `split` picks the forget or multiple-choice forms."""
    if split in ("real_authors", "world_facts"):
        prob = normalized_answer_probability(scores.answer_loss, scores.wrong_losses)
    else:
        prob = answer_probability(scores.answer_loss)
    ratio = forget_truth_ratio if split == "forget" else retain_truth_ratio
    return {
        "rouge_l": float(np.mean(scores.rouge_l)),
        "prob": prob,
        "truth_ratio": ratio(scores.truth_ratios()),
    }


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
