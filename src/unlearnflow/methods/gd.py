"""Gradient difference (GD): ascend on the forget set, descend on the retain set.

L = -NLL(forget) + lambda * NLL(retain)
(Liu et al. 2022, "Continual learning and private unlearning"; TOFU's `grad_diff`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import Method


@dataclass(frozen=True)
class GradientDifference(Method):
    name = "gd"
    paper = "Liu et al. 2022"
    retain_weight: float = 1.0

    def loss(self, model, forget, retain, reference):
        from ..scoring import mean_answer_nll

        return -mean_answer_nll(model, forget) + self.retain_weight * mean_answer_nll(model, retain)
