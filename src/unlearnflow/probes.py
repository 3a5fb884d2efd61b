"""Linear probes: does a model's representation still tell the forget answer from its
wrong answers when its output no longer does?

A probe per layer (Alain & Bengio 2016, "Understanding intermediate layers using linear
classifier probes"; Belinkov 2022, "Probing classifiers"): scikit-learn's
LogisticRegression on standardised answer states (represent.answer_states: a layer's
states averaged over an answer's tokens after its question), trained on a seed's
fine-tuned model to score each forget item's paraphrased answer 1 and each of its wrong
answers 0 (the truth ratio's pair: the wrong answers perturb the paraphrase, so the two
differ in the facts, not in their wording), then applied to every model of that seed at the same
layer: the question of Patil et al. 2023 ("Can sensitive information be deleted from
LLMs?") and Łucki et al. 2024, whether information the outputs no longer show survives
in the states.

The forget items are split into `folds` (seeded); each fold is scored by the probe
trained on the other folds' items, so that every accuracy, the fine-tuned model's (the
ceiling) included, is held out. An item's accuracy: the share of its wrong answers the
probe scores below its true answer (a two-way choice, chance 0.5, ties half). The
gold model never learned the forget answers: its accuracy is the floor of what their
wording alone gives away.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np


class ProbeError(ValueError):
    """Probe settings the forget set cannot meet, or states that do not match."""


@dataclass(frozen=True)
class AnswerStates:
    """One model's answer states: `states` [layers, rows, hidden], the rows of each
    item (`item_ids`) its true (paraphrased) answer, then its `wrong[n]` wrong answers."""

    layers: list[int]
    item_ids: list[str]
    wrong: list[int]
    states: np.ndarray

    def save(self, path: Path) -> None:
        import torch
        from safetensors.torch import save_file

        metadata = {"layers": self.layers, "item_ids": self.item_ids, "wrong": self.wrong}
        save_file(
            {"states": torch.from_numpy(np.ascontiguousarray(self.states))},
            str(path),
            metadata={key: json.dumps(value) for key, value in metadata.items()},
        )

    @classmethod
    def load(cls, path: Path) -> AnswerStates:
        from safetensors import safe_open

        with safe_open(str(path), framework="np") as saved:
            metadata = {key: json.loads(value) for key, value in saved.metadata().items()}
            return cls(states=saved.get_tensor("states"), **metadata)

    def rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(item index, 1 for a true answer, 0 for a wrong one) of every row."""
        items = np.repeat(np.arange(len(self.wrong)), np.asarray(self.wrong) + 1)
        labels = np.concatenate([[1] + [0] * count for count in self.wrong])
        return items, labels


def item_folds(count: int, folds: int, seed: int) -> np.ndarray:
    """The fold of each of `count` items: a seeded shuffle dealt into `folds` groups."""
    if not 2 <= folds <= count:
        raise ProbeError(
            f"config key probes.folds: {folds} folds of {count} forget items; the probes need"
            " from 2 to as many folds as items"
        )
    order = list(range(count))
    random.Random(seed).shuffle(order)
    fold = np.empty(count, dtype=int)
    fold[order] = np.arange(count) % folds
    return fold


def item_accuracy(scores: np.ndarray, items: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per item, the share of its wrong answers scored below its true answer."""
    accuracy = np.empty(items.max() + 1)
    for item in range(len(accuracy)):
        own = items == item
        right = scores[own & (labels == 1)][0]
        wrong = scores[own & (labels == 0)]
        accuracy[item] = np.mean((right > wrong) + 0.5 * (right == wrong))
    return accuracy


def probe_accuracies(
    reference: AnswerStates,
    models: dict[str, AnswerStates],
    folds: int,
    regularization: float,
    seed: int,
) -> dict[str, np.ndarray]:
    """Per model, its items' probe accuracy at each layer, [layers, items]: the probes
    trained on `reference`'s states (`regularization`: LogisticRegression's C)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    for name, states in models.items():
        if (states.layers, states.item_ids, states.wrong) != (
            reference.layers,
            reference.item_ids,
            reference.wrong,
        ):
            raise ProbeError(f"{name}: answer states of other layers or items than the reference's")
    items, labels = reference.rows()
    fold = item_folds(len(reference.wrong), folds, seed)[items]
    scores = {name: np.empty((len(reference.layers), len(items))) for name in models}
    for slot in range(len(reference.layers)):
        for held_out in range(folds):
            train = fold != held_out
            probe = make_pipeline(
                StandardScaler(), LogisticRegression(C=regularization, max_iter=2000)
            ).fit(reference.states[slot][train], labels[train])
            for name, states in models.items():
                scores[name][slot, ~train] = probe.decision_function(states.states[slot][~train])
    return {
        name: np.stack([item_accuracy(layer, items, labels) for layer in values])
        for name, values in scores.items()
    }
