"""What every unlearning method is: typed hyperparameters and one loss.

Method modules import torch inside their functions only, so that the registry (names,
papers, hyperparameters) loads without torch while the workflow builds its DAG.

A method's loss sees the model being trained, a forget batch, a retain batch and
`reference`, a context manager under which the same model computes as the frozen
reference: for LoRA the unlearning adapter disabled (no second copy in memory), for
full training the trained weights' starting values swapped back in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import ClassVar

Reference = Callable[[], AbstractContextManager]


@dataclass(frozen=True)
class Method:
    """Base of every method: subclasses are dataclasses of their hyperparameters."""

    name: ClassVar[str]
    paper: ClassVar[str]
    uses_retain: ClassVar[bool] = True
    uses_reference: ClassVar[bool] = False  # its loss calls `reference`
    needs_adapter: ClassVar[bool] = False  # works on the unlearning LoRA adapter (not full)
    needs_idk_answers: ClassVar[bool] = False  # forget batches carry `alternate` IDK answers
    edits_base_weights: ClassVar[bool] = False  # saved merged, not as an adapter
    # hyperparameters that must be above 0 (every numeric one must be finite and >= 0)
    positive: ClassVar[tuple[str, ...]] = ()

    def trained_modules(self, config) -> str | None:
        """A regular expression over module names that limits what trains (for the
        model `config`); None trains what `training.unlearn` says."""
        return None

    def prepare(self, model, forget_batches: list[dict]) -> None:
        """Applied once before training, with every forget batch; most methods do nothing."""

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
    """For methods that declare no reference: calling it is a bug in the method."""
    raise ValueError("this method needs a reference model: declare uses_reference")


def adapter_disabled(model) -> Reference:
    """The reference for a peft model: the same weights with its adapters switched off."""
    return model.disable_adapter


def starting_weights(model) -> Reference:
    """The reference for full training: a copy of the trainable weights as they are
    now, swapped in for the duration of the context."""
    trained = [parameter for parameter in model.parameters() if parameter.requires_grad]
    start = [parameter.detach().clone() for parameter in trained]

    @contextmanager
    def reference() -> Iterator[None]:
        current = [parameter.data for parameter in trained]
        for parameter, value in zip(trained, start, strict=True):
            parameter.data = value
        try:
            yield
        finally:
            for parameter, value in zip(trained, current, strict=True):
                parameter.data = value

    return reference


def frozen_reference(model) -> Reference:
    """The model as it is before training: its adapters off, or its starting weights."""
    if hasattr(model, "disable_adapter"):
        return adapter_disabled(model)
    return starting_weights(model)


def reference_for(model, method: Method) -> Reference:
    """The frozen reference `method` computes against, or `no_reference`."""
    if not method.uses_reference:
        return no_reference
    return frozen_reference(model)
