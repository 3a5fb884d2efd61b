"""SatImp: ascent on forget tokens weighted by saturation and importance.

L = forget_weight * (1/N) * sum_t p_t^beta1 * (1 - p_t)^beta2 * log p_t
    + lambda * NLL(retain),
over the N answer tokens t of the forget batch, the weight held constant (no gradient
through it): p^beta1 favours tokens still well known, (1 - p)^beta2 the ones not yet
certain (Yang et al. 2025, "Exploring criteria of loss reweighting to enhance LLM
unlearning"; open-unlearning's SatImp, defaults beta1 5, beta2 1, forget weight 0.1,
retain weight 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import WithRetainTerm


@dataclass(frozen=True)
class SaturationImportance(WithRetainTerm):
    name = "satimp"
    paper = "Yang et al. 2025"
    beta1: float = 5.0
    beta2: float = 1.0
    forget_weight: float = 0.1
    retain_weight: float = 1.0

    def loss(self, model, forget, retain, reference):
        from ..scoring import answer_token_logprobs

        logprobs, _ = answer_token_logprobs(model, forget)
        p = logprobs.detach().exp()
        weights = p**self.beta1 * (1 - p) ** self.beta2
        loss = self.forget_weight * (weights * logprobs).mean()
        return self.plus_retain_term(loss, model, retain)
