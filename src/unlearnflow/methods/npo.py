"""Negative preference optimisation (NPO), with an optional retain term.

L = -(2/beta) * mean_i log sigmoid(-beta * log(pi_theta(y_i|x_i) / pi_ref(y_i|x_i)))
    + lambda * NLL(retain),
with log pi the summed log-likelihood of the forget answer (Zhang et al. 2024,
"Negative preference optimization: from catastrophic collapse to effective
unlearning"; as open-unlearning computes it). The reference is the model before
unlearning (base.py: the adapter disabled, or the starting weights under full training).
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import WithRetainTerm


@dataclass(frozen=True)
class NegativePreferenceOptimization(WithRetainTerm):
    name = "npo"
    paper = "Zhang et al. 2024"
    positive = ("beta",)
    uses_reference = True
    beta: float = 0.1
    retain_weight: float = 0.0

    def loss(self, model, forget, retain, reference):
        import torch
        import torch.nn.functional as F

        from ..scoring import sequence_nll

        nll = sequence_nll(model, forget, reduction="sum")
        with torch.no_grad(), reference():
            reference_nll = sequence_nll(model, forget, reduction="sum")
        # log(pi_theta / pi_ref) = reference_nll - nll
        loss = -F.logsigmoid(self.beta * (nll - reference_nll)).mean() * 2 / self.beta
        return self.plus_retain_term(loss, model, retain)
