"""SimNPO: NPO without a reference model, on the length-normalised forget loss.

L = -(2/beta) * mean_i log sigmoid(beta * NLL_i / |y_i| - gamma) + lambda * NLL(retain),
NLL_i / |y_i| the mean token NLL of forget answer i and gamma a reward margin
(Fan et al. 2024, "Simplicity prevails: rethinking negative preference optimization
for LLM unlearning"). Minimising it raises the forget answers' NLL, with a weight
that fades once an answer is unlikely. open-unlearning writes the margin as
gamma = beta * delta; its defaults: beta 1, delta 0, retain weight 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import WithRetainTerm


@dataclass(frozen=True)
class SimpleNPO(WithRetainTerm):
    name = "simnpo"
    paper = "Fan et al. 2024"
    positive = ("beta",)
    beta: float = 1.0
    gamma: float = 0.0
    retain_weight: float = 1.0

    def loss(self, model, forget, retain, reference):
        import torch.nn.functional as F

        from ..scoring import sequence_nll

        mean_nll = sequence_nll(model, forget, reduction="mean")
        loss = -F.logsigmoid(self.beta * mean_nll - self.gamma).mean() * 2 / self.beta
        return self.plus_retain_term(loss, model, retain)
