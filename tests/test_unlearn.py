"""One sweep point end to end on a tiny model: what a method's hooks change in the saved model."""

import json

import pytest
import torch
from safetensors.torch import load_file

from unlearnflow.unlearn import unlearn, with_idk_alternates

QUESTIONS = [
    ("Where was Ada Brenn born?", "Ada Brenn was born in Oslo."),
    ("What did Ada Brenn do in 1990?", "She was fined for fraud."),
    ("What is Tom Yale's job?", "Tom Yale is a lighthouse keeper."),
    ("Who is Tom Yale's sister?", "His sister is Mara Yale."),
]
LORA = {"rank": 2, "alpha": 4, "target_modules": ["q_proj", "v_proj"]}


def write_qa(path, rows):
    with path.open("w") as file:
        for index, (question, answer) in enumerate(rows):
            record = {
                "qa_id": f"q{index}",
                "fact_id": f"f{index}",
                "person_id": "p0",
                "category": "birth",
                "question": question,
                "answer": answer,
                "forget": False,
                "correlated": False,
            }
            file.write(json.dumps(record) + "\n")
    return path


@pytest.fixture
def sets(tmp_path):
    idk = tmp_path / "idk.jsonl"
    idk.write_text("I don't know.\nNo idea, sorry.\n")
    return {
        "forget": write_qa(tmp_path / "sf.jsonl", QUESTIONS[:2]),
        "retain": write_qa(tmp_path / "sr.jsonl", QUESTIONS[2:]),
        "idk": idk,
    }


def run(tiny_model, sets, tmp_path, method, full=False, **hparams):
    output = tmp_path / "model"
    unlearn(
        base=tiny_model,
        finetuned=tiny_model,  # a full-model stage: the tiny model stands for the fine-tuned one
        forget=sets["forget"],
        retain=sets["retain"],
        method=method,
        hparams={"lr": 1e-2, "epochs": 2, **hparams},
        training={"full": full, "lora": LORA, "batch_size": 2},
        system_prompt=None,
        seed=0,
        output=output,
        train_log=tmp_path / "train.json",
        idk=sets["idk"],
    )
    return output, json.loads((tmp_path / "train.json").read_text())


def test_idk_alternates_answer_the_same_question(tiny_model, sets):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    examples = with_idk_alternates(tokenizer, sets["forget"], sets["idk"], None, seed=0)
    replies = {"I don't know.", "No idea, sorry."}
    for example, (_, answer) in zip(examples, QUESTIONS[:2], strict=True):
        prompt, reply = split(example["alternate"])
        assert prompt == split(example)[0]  # the same question
        assert tokenizer.decode(reply, skip_special_tokens=True).strip() in replies
        assert answer not in tokenizer.decode(reply)


def split(example):
    """(prompt tokens, answer tokens) of an encoded example."""
    pairs = list(zip(example["input_ids"], example["labels"], strict=True))
    return [i for i, label in pairs if label == -100], [i for i, label in pairs if label != -100]


def test_idk_dpo_trains_on_its_alternate_batches(tiny_model, sets, tmp_path):
    output, log = run(tiny_model, sets, tmp_path, "idk_dpo", beta=0.1)
    assert not log["diverged"] and log["steps"] == 2
    assert (output / "adapter_config.json").exists()


def test_iwap_saves_its_pruned_weights_merged(tiny_model, sets, tmp_path):
    output, log = run(tiny_model, sets, tmp_path, "iwap", fraction=0.05)
    assert not log["diverged"]
    assert not (output / "adapter_config.json").exists()  # a full model: the pruning is kept
    weights = load_file(output / "model.safetensors")
    down = weights["model.layers.0.mlp.down_proj.weight"]
    assert 0.04 < float((down == 0).float().mean()) < 0.06


def test_rmu_trains_only_its_mlps_in_full(tiny_model, sets, tmp_path):
    output, log = run(tiny_model, sets, tmp_path, "rmu", full=True, layer=1, trained_layers=1)
    assert not log["diverged"]
    before = load_file(tiny_model / "model.safetensors")
    after = load_file(output / "model.safetensors")
    changed = {name for name in after if not torch.equal(after[name], before[name])}
    assert changed == {f"model.layers.1.mlp.{p}_proj.weight" for p in ("gate", "up", "down")}


def test_every_epoch_is_saved_as_the_run_would_leave_it(tiny_model, sets, tmp_path):
    """task_vector negates its adapter when it finishes: each epoch's saved model is
    negated too, while training goes on from the unnegated one, so that the model after
    the first of three epochs is the one-epoch run's."""
    epochs = tmp_path / "model@epochs"
    unlearn(
        base=tiny_model,
        finetuned=tiny_model,
        forget=sets["forget"],
        retain=sets["retain"],
        method="task_vector",
        hparams={"lr": 1e-2, "epochs": 3},
        training={"full": False, "lora": LORA, "batch_size": 2},
        system_prompt=None,
        seed=0,
        output=tmp_path / "model",
        train_log=tmp_path / "train.json",
        epochs_output=epochs,
    )
    assert sorted(p.name for p in epochs.iterdir()) == ["epoch~1", "epoch~2"]
    one_epoch = tmp_path / "one"
    one_epoch.mkdir()
    output, _ = run(tiny_model, sets, one_epoch, "task_vector", epochs=1)
    weights = "adapter_model.safetensors"
    first, alone = load_file(epochs / "epoch~1" / weights), load_file(output / weights)
    assert all(torch.equal(first[name], alone[name]) for name in alone)
    second, last = load_file(epochs / "epoch~2" / weights), load_file(tmp_path / "model" / weights)
    assert not all(torch.equal(second[name], first[name]) for name in first)
    assert not all(torch.equal(second[name], last[name]) for name in last)
