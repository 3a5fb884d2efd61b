"""Weighted gradient ascent (WGA): ascent on forget tokens, each weighted by p^beta.

L = (1/N) * sum_t p_t^beta * log p_t + lambda * NLL(retain),
over the N answer tokens t of the forget batch, p_t the model's probability of token t
and the weight p_t^beta held constant (no gradient through it): tokens the model has
already forgotten stop pulling, which keeps ascent from running away (Wang et al.
2025, "Rethinking LLM unlearning objectives: a gradient perspective and go beyond";
open-unlearning's WGA, defaults beta 1, retain weight 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import WithRetainTerm


@dataclass(frozen=True)
class WeightedGradientAscent(WithRetainTerm):
    name = "wga"
    paper = "Wang et al. 2025"
    beta: float = 1.0
    retain_weight: float = 1.0

    def loss(self, model, forget, retain, reference):
        from ..scoring import answer_token_logprobs

        logprobs, _ = answer_token_logprobs(model, forget)
        weights = logprobs.detach().exp() ** self.beta
        loss = (weights * logprobs).mean()
        return self.plus_retain_term(loss, model, retain)
