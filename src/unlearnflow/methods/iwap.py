"""IWAP, influence-guided weight pruning: zero the weights that carry the forget set,
then repair on the retain set.

s_ij = |w_ij| · |∂NLL(forget)/∂w_ij|, the connection sensitivity of SNIP (Lee et al.
2019, "SNIP: single-shot network pruning based on connection sensitivity") taken on
the forget loss, over every linear weight matrix of the transformer body; in each
matrix the top `fraction` of weights by s is set to zero. Training then descends on
L = NLL(retain) to repair what the pruning broke (one of the methods of the Qwen3-4B
unlearning study). The pruned weights are part of the base weights, so the model is
saved merged; under `training.unlearn.full` they stay zero through the repair (their
gradient is masked), under LoRA the low-rank repair may move them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import Method


@dataclass(frozen=True)
class InfluencePruning(Method):
    name = "iwap"
    paper = "Qwen3-4B unlearning study; SNIP saliency, Lee et al. 2019"
    edits_base_weights = True
    fraction: float = 0.001

    def __post_init__(self):
        if not 0 <= self.fraction <= 1:
            raise ValueError(f"iwap: fraction must lie in [0, 1], not {self.fraction}")

    def prepare(self, model, forget_batches):
        import torch

        from .saliency import forget_gradients, linear_layers, weight

        weights = [weight(layer) for layer in linear_layers(model).values()]
        gradients = forget_gradients(model, forget_batches, weights)
        with torch.no_grad():
            for parameter, gradient in zip(weights, gradients, strict=True):
                saliency = (parameter.abs() * gradient.abs()).flatten()
                count = round(self.fraction * saliency.numel())
                pruned = torch.zeros_like(saliency, dtype=torch.bool)
                pruned[saliency.topk(count).indices] = True
                pruned = pruned.view_as(parameter)
                parameter.masked_fill_(pruned, 0)
                if parameter.requires_grad:
                    parameter.register_hook(lambda grad, mask=pruned: grad.masked_fill(mask, 0))

    def loss(self, model, forget, retain, reference):
        from ..scoring import mean_answer_nll

        return mean_answer_nll(model, retain)
