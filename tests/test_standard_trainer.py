"""Our training loop against the standard one: TRL's SFTTrainer with its completion-only
loss, fed the same pre-tokenized split (finetune.qa_dataset), from the same weights,
with the same recipe (full fine-tuning, AdamW, linear decay, gradient clipping at 1.0).

With the whole split in one batch the order of examples cannot matter, so the two runs
take the same steps: after training, every item's mean answer NLL agrees to within
TOLERANCE nats, while training moved it by far more."""

import numpy as np
import pytest
import torch
from conftest import SMALL_DATA, generate_all
from transformers import AutoModelForCausalLM, AutoTokenizer

from unlearnflow.finetune import qa_dataset
from unlearnflow.models import trainable
from unlearnflow.scoring import mean_answer_nll
from unlearnflow.train import TrainSettings, collate, train

TOLERANCE = 0.02  # nats per answer token
RECIPE = {"full": True, "lr": 2e-3, "lr_schedule": "linear", "epochs": 15}
SEED = 0


def item_nll(model, split, pad_id) -> np.ndarray:
    with torch.no_grad():
        return np.array([mean_answer_nll(model, collate([row], pad_id)).item() for row in split])


@pytest.fixture(scope="module")
def split_and_start(tiny_model, tmp_path_factory):
    paths = generate_all({"name": "template", "seed": 0}, SMALL_DATA, tmp_path_factory.mktemp("d"))
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    split = qa_dataset(tokenizer, [paths["forget"], paths["retain"]], "")
    return tokenizer, split


def fresh(tiny_model):
    model = AutoModelForCausalLM.from_pretrained(tiny_model, dtype=torch.float32)
    return trainable(model, RECIPE, SEED)


def test_our_loop_matches_trls_sft_trainer(tiny_model, split_and_start, tmp_path):
    from trl import SFTConfig, SFTTrainer

    tokenizer, split = split_and_start
    rows, pad_id = list(split), tokenizer.pad_token_id
    before = item_nll(fresh(tiny_model), rows, pad_id)

    ours = fresh(tiny_model)
    settings = TrainSettings(
        learning_rate=RECIPE["lr"],
        epochs=RECIPE["epochs"],
        batch_size=len(rows),
        lr_schedule=RECIPE["lr_schedule"],
        seed=SEED,
    )
    train(ours, lambda m, batch, _: mean_answer_nll(m, batch), rows, None, settings, pad_id)

    theirs = fresh(tiny_model)
    config = SFTConfig(
        output_dir=str(tmp_path),
        completion_only_loss=True,
        learning_rate=RECIPE["lr"],
        num_train_epochs=RECIPE["epochs"],
        per_device_train_batch_size=len(rows),
        lr_scheduler_type="linear",
        warmup_steps=0,
        weight_decay=0.0,
        max_grad_norm=1.0,
        seed=SEED,
        use_cpu=True,
        report_to="none",
        save_strategy="no",
        logging_strategy="no",
    )
    SFTTrainer(model=theirs, args=config, train_dataset=split, processing_class=tokenizer).train()

    ours_after, theirs_after = item_nll(ours, rows, pad_id), item_nll(theirs, rows, pad_id)
    assert np.all(before - ours_after > 20 * TOLERANCE)  # both learned the items
    assert np.max(np.abs(ours_after - theirs_after)) <= TOLERANCE
