"""Class-unlearning metrics, as the study defines them (pymlex/qwen3-embedding-0.6b-
unlearning, metrics/evaluation.py and training/trainer.py), over label arrays and
probability rows.

- MCC: the multiclass Matthews correlation (Gorodkin 2004) from the confusion matrix,
  as scikit-learn's `matthews_corrcoef` computes it (0 where a marginal is constant), on
  the test split and on its retain items. On the forget items alone every true label is the
  forgotten class and MCC is 0 whatever the predictions; the study's substitute there
  (`forget_class_mcc`: the forget-class prediction rate p against a uniform guess q,
  (p - q) / sqrt(p(1-p) q(1-q))) is no correlation and leaves [-1, 1] (3.2 for a model
  that predicts the class for 75 % of its items among five classes). The forget MCC here
  is the MCC of the one-vs-rest decision "is the forgotten class" over the
  test split: 1 for a model that still tells the class apart, 0 for one that never
  predicts it (as gold), below 0 for one that predicts it for other classes' items.
- KL to gold: mean KL(gold || model) over retain inputs, the model's probabilities
  renormalised over the retain classes (the gold head has no other), both clipped at
  1e-12; agreement: the share of inputs where the model's and gold's labels match.
- The retain gate: a model passes where its retain MCC is at least `fraction` (0.9 in the
  study) of gold's; the chosen model is the passing one with the lowest forget MCC.
"""

from __future__ import annotations

import numpy as np


def mcc(labels, predictions) -> float:
    """Gorodkin's R_K over integer labels: (c·s − t·p) / sqrt((s² − p·p)(s² − t·t)) for
    c correct of s items, t and p the true and predicted counts per class."""
    labels, predictions = np.asarray(labels, dtype=int), np.asarray(predictions, dtype=int)
    classes = int(max(labels.max(), predictions.max())) + 1
    confusion = np.bincount(labels * classes + predictions, minlength=classes**2)
    confusion = confusion.reshape(classes, classes).astype(float)
    true, predicted = confusion.sum(axis=1), confusion.sum(axis=0)
    correct, total = np.trace(confusion), confusion.sum()
    spread = (total**2 - predicted @ predicted) * (total**2 - true @ true)
    return 0.0 if spread == 0 else float((correct * total - true @ predicted) / np.sqrt(spread))


def forget_mcc(labels, predictions, forget_id: int) -> float:
    """MCC of "is the forgotten class", truth against prediction (0 where either side is
    constant)."""
    return mcc(np.asarray(labels) == forget_id, np.asarray(predictions) == forget_id)


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
