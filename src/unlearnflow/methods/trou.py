"""TROU, trust-region orthogonal unlearning: ascend on the forget set only along
directions that leave the retain loss unchanged, in steps of bounded norm.

g_f = ∇(-NLL(forget)), g_r = ∇NLL(retain) over the trained parameters, and the update
direction is
    g = clip(g_f − (g_f·g_r / ‖g_r‖²)·g_r, radius) + lambda · g_r,
the forget gradient projected off the retain gradient (to first order the ascent
leaves the retain loss as it is), its norm bounded by `radius` (the trust region),
plus lambda times the retain descent (one of the methods of the Qwen3-4B unlearning
study). The loss returned has the value -NLL(forget) + lambda·NLL(retain) and the
gradient g.
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import Method


@dataclass(frozen=True)
class TrustRegionOrthogonal(Method):
    name = "trou"
    paper = "Qwen3-4B unlearning study"
    positive = ("radius",)
    radius: float = 1.0
    retain_weight: float = 1.0

    def loss(self, model, forget, retain, reference):
        import torch

        from ..scoring import mean_answer_nll

        parameters = [parameter for parameter in model.parameters() if parameter.requires_grad]
        forget_loss = -mean_answer_nll(model, forget)
        retain_loss = mean_answer_nll(model, retain)
        g_f = torch.autograd.grad(forget_loss, parameters)
        g_r = torch.autograd.grad(retain_loss, parameters)
        dot = sum((f * r).sum() for f, r in zip(g_f, g_r, strict=True))
        retain_norm2 = sum(r.pow(2).sum() for r in g_r)
        projected = [
            f - dot / retain_norm2.clamp(min=1e-30) * r for f, r in zip(g_f, g_r, strict=True)
        ]
        norm = torch.sqrt(sum(p.pow(2).sum() for p in projected))
        scale = (self.radius / norm.clamp(min=1e-30)).clamp(max=1.0)
        direction = [
            scale * p + self.retain_weight * r for p, r in zip(projected, g_r, strict=True)
        ]
        # a loss with the value of the objective and the gradient `direction`
        surrogate = sum((d * p).sum() for d, p in zip(direction, parameters, strict=True))
        value = (forget_loss + self.retain_weight * retain_loss).detach()
        return value + surrogate - surrogate.detach()
