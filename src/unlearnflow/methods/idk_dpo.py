"""IdkDPO: direct preference optimisation with "I don't know" preferred over the forget
answer.

L = -(2/beta) * mean_i log sigmoid(beta * [(log pi(a_i|x_i) - log pi_ref(a_i|x_i))
                                         - (log pi(y_i|x_i) - log pi_ref(y_i|x_i))])
    + lambda * NLL(retain),
a_i an "I don't know"-style reply to forget question x_i (TOFU's idontknow set, one
drawn per question), y_i its forget answer, log pi summed over the answer tokens and
pi_ref the model before unlearning (Rafailov et al. 2023, "Direct preference
optimization"; as TOFU, Maini et al. 2024, and open-unlearning's DPO apply it, the
loss scaled by 2/beta like NPO's; open-unlearning's defaults beta 0.1, retain weight 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import WithRetainTerm


@dataclass(frozen=True)
class IdkPreferenceOptimization(WithRetainTerm):
    name = "idk_dpo"
    paper = "Rafailov et al. 2023; Maini et al. 2024"
    positive = ("beta",)
    uses_reference = True
    needs_idk_answers = True
    beta: float = 0.1
    retain_weight: float = 1.0

    def loss(self, model, forget, retain, reference):
        import torch
        import torch.nn.functional as F

        from ..scoring import sequence_nll

        preferred, rejected = forget["alternate"], forget
        nll_preferred = sequence_nll(model, preferred, reduction="sum")
        nll_rejected = sequence_nll(model, rejected, reduction="sum")
        with torch.no_grad(), reference():
            ref_preferred = sequence_nll(model, preferred, reduction="sum")
            ref_rejected = sequence_nll(model, rejected, reduction="sum")
        # log(pi / pi_ref) = reference NLL - NLL
        margin = (ref_preferred - nll_preferred) - (ref_rejected - nll_rejected)
        loss = -F.logsigmoid(self.beta * margin).mean() * 2 / self.beta
        return self.plus_retain_term(loss, model, retain)
