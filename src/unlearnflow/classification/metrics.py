"""Class-unlearning metrics, as the study defines them (pymlex/qwen3-embedding-0.6b-
unlearning, metrics/evaluation.py and training/trainer.py), over label arrays and
probability rows.

- MCC: scikit-learn's multiclass Matthews correlation (Gorodkin 2004). On the forget
  split every true label is the forgotten class and MCC is 0 whatever the predictions,
  so the forget split's `forget_class_mcc` is the study's: the phi coefficient of the
  rate at which the forgotten class is predicted against the rate 1/K of a uniform guess.
- KL to gold: mean KL(gold || model) over retain inputs, the model's probabilities
  renormalised over the retain classes (the gold head has no other), both clipped at
  1e-12; agreement: the share of inputs where the model's and gold's labels match.
- The retain gate: a model passes where its retain MCC is at least `fraction` (0.9 in the
  study) of gold's; the chosen model is the passing one with the lowest forget MCC.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import matthews_corrcoef


def mcc(labels, predictions) -> float:
    return float(matthews_corrcoef(labels, predictions))


def forget_class_mcc(predictions, forget_id: int, classes: int) -> float:
    """Phi of the forget-class prediction rate against uniform guessing (the study's)."""
    rate = float(np.mean(np.asarray(predictions) == forget_id))
    guess = 1.0 / classes
    if rate >= 1.0:
        return 1.0
    if rate <= 0.0:
        return -1.0
    return float((rate - guess) / np.sqrt(rate * (1 - rate) * guess * (1 - guess)))


def recall(labels, predictions, label: int) -> float:
    """The share of `label`'s items predicted as `label`."""
    labels, predictions = np.asarray(labels), np.asarray(predictions)
    return float(np.mean(predictions[labels == label] == label))


def kl_to_gold(gold_probs: np.ndarray, model_retain_probs: np.ndarray) -> np.ndarray:
    """Per-input KL(gold || model), the model's retain-class probabilities renormalised."""
    model = model_retain_probs / model_retain_probs.sum(axis=-1, keepdims=True)
    gold, model = np.clip(gold_probs, 1e-12, 1.0), np.clip(model, 1e-12, 1.0)
    return np.maximum(np.sum(gold * np.log(gold / model), axis=-1), 0.0)


def passes_gate(retain_mcc: float, gold_retain_mcc: float, fraction: float) -> bool:
    return retain_mcc >= fraction * gold_retain_mcc
