"""Fine-tuning's rehearsal with a KL term keeps the rehearsed answers as the base model
distributes them."""

import torch
from conftest import random_llama
from test_train import examples

from unlearnflow.finetune import rehearsing_loss
from unlearnflow.methods.base import frozen_reference
from unlearnflow.scoring import nll_and_kl_to_reference
from unlearnflow.train import TrainSettings, collate, train


def kl_after_training(kl_weight: float) -> float:
    """KL(p_base || p_tuned) on the rehearsal answers after 20 epochs of rehearsing."""
    torch.manual_seed(0)
    model, data, rehearsed = random_llama(61), examples(12, seed=0), examples(8, seed=1)
    model.requires_grad_(True)  # every weight: the reference is their starting values
    reference = frozen_reference(model)
    settings = TrainSettings(learning_rate=1e-2, epochs=20, batch_size=4)
    result = train(model, rehearsing_loss(kl_weight, reference), data, rehearsed, settings, 0)
    assert not result.diverged and result.steps == 20 * 3  # one step per data batch
    with torch.no_grad():
        return nll_and_kl_to_reference(model, collate(rehearsed, 0), reference)[1].item()


def test_the_kl_term_keeps_the_rehearsed_answers_near_the_base_model():
    assert kl_after_training(1.0) < 0.5 * kl_after_training(0.0)
