"""Gradient ascent (GA): maximise the NLL of the forget answers.

L = -NLL(forget), NLL the mean negative log-likelihood over answer tokens
(Jang et al. 2023, "Knowledge unlearning for mitigating privacy risks in language
models"; TOFU's `grad_ascent` baseline).
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import Method


@dataclass(frozen=True)
class GradientAscent(Method):
    name = "ga"
    paper = "Jang et al. 2023"
    uses_retain = False

    def loss(self, model, forget, retain, reference):
        from ..scoring import mean_answer_nll

        return -mean_answer_nll(model, forget)
