"""Retain fine-tuning: keep training on the retain set only, the naive baseline.

L = NLL(retain) on the retain batch paired with each forget batch (TOFU's retain
fine-tuning baseline, Maini et al. 2024); the forget batch is not used.
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import Method


@dataclass(frozen=True)
class RetainFinetune(Method):
    name = "retain_ft"
    paper = "Maini et al. 2024"

    def loss(self, model, forget, retain, reference):
        from ..scoring import mean_answer_nll

        return mean_answer_nll(model, retain)
