"""What every unlearning method is: typed hyperparameters and one loss.

Method modules import torch inside `loss` only, so that the registry (names,
papers, hyperparameters) loads without torch while the workflow builds its DAG.

A method's loss sees the model being trained, a forget batch, a retain batch and
`reference`, a context manager under which the same model computes as the frozen
reference (for LoRA: the unlearning adapter disabled; no second copy in memory).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import ClassVar

Reference = Callable[[], AbstractContextManager]


@dataclass(frozen=True)
class Method:
    """Base of every method: subclasses are dataclasses of their hyperparameters."""

    name: ClassVar[str]
    paper: ClassVar[str]
    uses_retain: ClassVar[bool] = True
    needs_adapter: ClassVar[bool] = False  # works on the unlearning LoRA adapter (not full)

    def loss(self, model, forget: dict, retain: dict, reference: Reference):
        raise NotImplementedError

    def finish(self, model) -> None:
        """Applied to the trained model before it is saved; most methods do nothing."""


@dataclass(frozen=True)
class WithRetainTerm(Method):
    """A method whose forget loss may be joined by retain_weight · NLL(retain), the
    retain batch's mean answer-token NLL (no retain batch is drawn for weight 0).
    Subclasses declare `retain_weight` after their own hyperparameters, with their
    paper's default."""

    @property
    def uses_retain(self) -> bool:
        return self.retain_weight != 0

    def plus_retain_term(self, forget_loss, model, retain: dict):
        if not self.retain_weight:
            return forget_loss
        from ..scoring import mean_answer_nll

        return forget_loss + self.retain_weight * mean_answer_nll(model, retain)


def no_reference() -> AbstractContextManager:
    """For models without an adapter to disable: methods needing a reference refuse it."""
    raise ValueError("this method needs a reference model: train a LoRA adapter")


def adapter_disabled(model) -> Reference:
    """The reference for a peft model: the same weights with its adapters switched off."""
    if hasattr(model, "disable_adapter"):
        return model.disable_adapter
    return no_reference
