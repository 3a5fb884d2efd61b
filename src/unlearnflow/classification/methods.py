"""Class-unlearning objectives over a classifier's logits, after the study's
training/losses.py (pymlex/qwen3-embedding-0.6b-unlearning), plus gradient ascent.

Each step sees a forget batch (texts of the forgotten class) and a retain batch of the
same size; `reference` logits are the original classifier's, computed once before
unlearning. Every method also takes `lr` and `epochs` (passes over the forget set).
Torch is imported inside the losses only: the workflow reads this registry while it
builds its DAG.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class Step:
    """What one unlearning step's loss may use (logits [batch, classes], labels [batch])."""

    forget: torch.Tensor
    forget_labels: torch.Tensor
    retain: torch.Tensor | None
    retain_labels: torch.Tensor
    reference_forget: torch.Tensor
    reference_retain: torch.Tensor
    retain_class_ids: torch.Tensor
    generator: torch.Generator


def _label_logprob(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    import torch.nn.functional as F

    return F.log_softmax(logits, dim=-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)


@dataclass(frozen=True)
class GradientAscent:
    """Ascent on the forget batch's cross-entropy (Thudi et al. 2022; Jang et al. 2023)."""

    name = "ga"
    uses_retain = False

    def loss(self, step: Step) -> torch.Tensor:
        import torch.nn.functional as F

        return -F.cross_entropy(step.forget, step.forget_labels)


@dataclass(frozen=True)
class RetainFinetune:
    """Fine-tuning on the retain batch alone: forgetting by interference."""

    name = "retain_ft"
    uses_retain = True

    def loss(self, step: Step) -> torch.Tensor:
        import torch.nn.functional as F

        return F.cross_entropy(step.retain, step.retain_labels)


@dataclass(frozen=True)
class DpoLike:
    """A DPO-shaped preference (Rafailov et al. 2023): the retain label's log-probability
    gain over the reference preferred to the forget label's, scaled by `beta`."""

    name = "dpo_like"
    uses_retain = True
    beta: float = 0.1

    def loss(self, step: Step) -> torch.Tensor:
        import torch.nn.functional as F

        retain_gain = _label_logprob(step.retain, step.retain_labels) - _label_logprob(
            step.reference_retain, step.retain_labels
        )
        forget_gain = _label_logprob(step.forget, step.forget_labels) - _label_logprob(
            step.reference_forget, step.forget_labels
        )
        return -F.logsigmoid(self.beta * (retain_gain - forget_gain)).mean()


@dataclass(frozen=True)
class RetainKlUniform:
    """The study's `rmu`: retain cross-entropy, `retain_kl` times the KL from the reference
    to the model on the retain batch, and the KL from the uniform distribution to the model
    on the forget batch. The study names it after RMU (Li et al. 2024), whose random
    target it carries into the label space; it steers no hidden state."""

    name = "rmu"
    uses_retain = True
    retain_kl: float = 0.5

    def loss(self, step: Step) -> torch.Tensor:
        import torch
        import torch.nn.functional as F

        def kl(target_probs: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
            return F.kl_div(F.log_softmax(logits, -1), target_probs, reduction="batchmean")

        uniform = torch.full_like(step.forget, 1.0 / step.forget.shape[-1])
        return (
            F.cross_entropy(step.retain, step.retain_labels)
            + self.retain_kl * kl(F.softmax(step.reference_retain, -1), step.retain)
            + kl(uniform, step.forget)
        )


@dataclass(frozen=True)
class RandomTarget:
    """Retain cross-entropy plus `gamma` times the cross-entropy of the forget batch
    against retain labels drawn at random (random relabelling, Graves et al. 2021)."""

    name = "random_target"
    uses_retain = True
    gamma: float = 1.0

    def loss(self, step: Step) -> torch.Tensor:
        import torch
        import torch.nn.functional as F

        drawn = torch.randint(
            len(step.retain_class_ids), step.forget_labels.shape, generator=step.generator
        )
        targets = step.retain_class_ids[drawn].to(step.forget.device)
        return F.cross_entropy(step.retain, step.retain_labels) + self.gamma * F.cross_entropy(
            step.forget, targets
        )


CLASSIFICATION_METHODS = {
    method.name: method
    for method in (GradientAscent, RetainFinetune, DpoLike, RetainKlUniform, RandomTarget)
}
SHARED = ("lr", "epochs")


def hyperparameter_names(name: str) -> list[str]:
    return [field.name for field in fields(CLASSIFICATION_METHODS[name])]


def make_classification_method(name: str, hparams: dict):
    """The method `name` with its own hyperparameters of `hparams` (lr and epochs apart)."""
    own = {key: value for key, value in hparams.items() if key not in SHARED}
    return CLASSIFICATION_METHODS[name](**own)
