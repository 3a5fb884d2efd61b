"""Task-vector negation: fine-tune further on the forget set, then subtract that change.

theta = theta_ft - alpha * tau,  tau = theta_ft+forget - theta_ft,
the task vector of the forget set learned by plain descent, L = NLL(forget)
(Ilharco et al. 2023, "Editing models with task arithmetic"; the task-vector baseline
of MUSE, Shi et al. 2024). Here tau is the unlearning LoRA adapter's delta, so the
negation scales the adapter by -alpha once training ends; it needs the adapter
(`training.unlearn.full: false`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import Method


@dataclass(frozen=True)
class TaskVector(Method):
    name = "task_vector"
    paper = "Ilharco et al. 2023"
    positive = ("alpha",)
    uses_retain = False
    needs_adapter = True
    alpha: float = 1.0

    def loss(self, model, forget, retain, reference):
        from ..scoring import mean_answer_nll

        return mean_answer_nll(model, forget)

    def finish(self, model) -> None:
        """The adapter's delta B·A becomes -alpha·B·A."""
        import torch

        with torch.no_grad():
            for name, parameter in model.named_parameters():
                if "lora_B" in name:
                    parameter.mul_(-self.alpha)
