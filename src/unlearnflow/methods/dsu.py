"""DSU, dual signed update: ascend on the forget set, descend on the retain set, and stay
close to the reference there.

L = -alpha * NLL(forget) + lambda * NLL(retain)
    + gamma * (1/N) * sum_t KL(p_ref(·|retain, t) || p_theta(·|retain, t)),
NLL the mean answer-token NLL, the KL over the N answer positions t of the retain batch
against the model before unlearning (one of the methods of the Qwen3-4B unlearning
study; the KL term is open-unlearning's KL retain loss). Defaults weigh all three 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import Method


@dataclass(frozen=True)
class DualSignedUpdate(Method):
    name = "dsu"
    paper = "Qwen3-4B unlearning study"
    positive = ("alpha",)
    uses_reference = True
    alpha: float = 1.0
    retain_weight: float = 1.0
    kl_weight: float = 1.0

    def loss(self, model, forget, retain, reference):
        from ..scoring import mean_answer_nll, nll_and_kl_to_reference

        retain_nll, kl = nll_and_kl_to_reference(model, retain, reference)
        forget_nll = mean_answer_nll(model, forget)
        return -self.alpha * forget_nll + self.retain_weight * retain_nll + self.kl_weight * kl
