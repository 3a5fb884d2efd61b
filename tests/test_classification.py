"""The classification track: its data, metrics and objectives, against values computed
here independently, and its bad-input errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from scipy.stats import entropy
from sklearn.metrics import matthews_corrcoef

from unlearnflow.classification.data import (
    ClassificationDataError,
    class_plan,
    dataset_splits,
    synthetic_splits,
)
from unlearnflow.classification.methods import Step, make_classification_method
from unlearnflow.classification.metrics import forget_mcc, kl_to_gold, mcc, passes_gate


def test_synthetic_splits_keep_people_apart(tmp_path):
    people = [{"person_id": f"p{i}", "holdout": i >= 2} for i in range(4)]
    facts = [
        {"fact_id": f"p{i}-{c}", "person_id": f"p{i}", "category": c, "text": f"{c} of p{i}"}
        for i in range(4)
        for c in ("birth", "family")
    ]
    (tmp_path / "profiles.jsonl").write_text("".join(json.dumps(p) + "\n" for p in people))
    (tmp_path / "facts.jsonl").write_text("".join(json.dumps(f) + "\n" for f in facts))
    splits = synthetic_splits(tmp_path / "facts.jsonl", tmp_path / "profiles.jsonl")
    owners = {split: {row["id"].split("-")[0] for row in rows} for split, rows in splits.items()}
    assert owners == {"train": {"p0", "p1"}, "validation": {"p2"}, "test": {"p3"}}
    assert {row["label"] for row in splits["train"]} == {"birth", "family"}


def write_csv(folder, name, header, rows):
    lines = [",".join(header), *(",".join(row) for row in rows)]
    (folder / f"{name}.csv").write_text("\n".join(lines) + "\n")


def test_a_local_dataset_is_read_with_its_columns_and_a_validation_share(tmp_path):
    rows = [(f"text {i}", ["neg", "neu", "pos"][i % 3]) for i in range(12)]
    write_csv(tmp_path, "train", ["review", "sentiment"], rows)
    write_csv(tmp_path, "test", ["review", "sentiment"], rows[:6])
    splits = dataset_splits(str(tmp_path), "review", "sentiment", 0.25, seed=0)
    assert [len(splits[s]) for s in ("train", "validation", "test")] == [9, 3, 6]
    assert class_plan(splits, "neu", "here")["retain_classes"] == ["neg", "pos"]


def test_a_missing_label_column_names_the_key_and_the_file(tmp_path):
    write_csv(tmp_path, "train", ["text", "stars"], [("a", "1")])
    write_csv(tmp_path, "test", ["text", "stars"], [("b", "2")])
    with pytest.raises(ClassificationDataError) as error:
        dataset_splits(str(tmp_path), "text", "label", 0.25, seed=0)
    message = str(error.value)
    assert "classification.label_column" in message and "train.csv" in message
    assert "stars" in message


def test_an_empty_text_names_the_file_and_row(tmp_path):
    write_csv(tmp_path, "train", ["text", "label"], [("a", "x"), ("", "y")])
    write_csv(tmp_path, "test", ["text", "label"], [("b", "x")])
    with pytest.raises(ClassificationDataError, match=r"train.csv, row 2"):
        dataset_splits(str(tmp_path), "text", "label", 0.25, seed=0)


def test_a_forget_class_that_is_no_label_names_the_key():
    splits = {
        "train": [{"label": label} for label in ("a", "b", "c")],
        "validation": [],
        "test": [],
    }
    with pytest.raises(ClassificationDataError, match="classification.forget_class: 'z'"):
        class_plan(splits, "z", "the source")


def test_mcc_is_scikit_learns_multiclass_matthews_correlation():
    generator = np.random.default_rng(0)
    for classes, items in ((2, 7), (5, 40), (5, 3), (9, 200)):
        labels = generator.integers(0, classes, items)
        noisy = np.where(
            generator.random(items) < 0.6, labels, generator.integers(0, classes, items)
        )
        for predictions in (noisy, labels, np.zeros(items, dtype=int), (labels + 1) % classes):
            assert mcc(labels, predictions) == pytest.approx(matthews_corrcoef(labels, predictions))


def test_forget_mcc_is_the_phi_of_the_one_vs_rest_decision():
    labels = np.array([1, 1, 1, 0, 2, 0, 2, 0])  # the forget class is 1
    predictions = np.array([1, 1, 0, 1, 2, 0, 2, 0])
    # the 2x2 table of (is 1, predicted 1): tp 2, fn 1, fp 1, tn 4
    tp, fn, fp, tn = 2, 1, 1, 4
    phi = (tp * tn - fp * fn) / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    assert forget_mcc(labels, predictions, 1) == pytest.approx(phi)
    assert forget_mcc(labels, labels, 1) == 1.0
    assert forget_mcc(labels, np.zeros(8, dtype=int), 1) == 0.0  # never predicted, as gold
    # scikit-learn's multiclass MCC on the forget items alone is 0 whatever is predicted
    assert matthews_corrcoef(np.ones(8, dtype=int), predictions) == 0.0


def test_kl_to_gold_renormalises_the_model_over_the_retain_classes():
    gold = np.array([[0.7, 0.3], [0.2, 0.8]])
    model_retain = np.array([[0.35, 0.15], [0.1, 0.1]])  # the rest of the mass: forget class
    expected = [entropy(gold[0], [0.7, 0.3]), entropy(gold[1], [0.5, 0.5])]
    np.testing.assert_allclose(kl_to_gold(gold, model_retain), expected, atol=1e-12)
    assert passes_gate(0.81, 0.9, 0.9) and not passes_gate(0.80, 0.9, 0.9)


def step(forget, retain, reference_forget=None, reference_retain=None):
    return Step(
        forget=forget,
        forget_labels=torch.tensor([1, 1]),
        retain=retain,
        retain_labels=torch.tensor([0, 2]),
        reference_forget=forget if reference_forget is None else reference_forget,
        reference_retain=retain if reference_retain is None else reference_retain,
        retain_class_ids=torch.tensor([0, 2]),
        generator=torch.Generator().manual_seed(0),
    )


def test_the_objectives_at_the_reference_and_their_direction():
    forget = torch.tensor([[0.0, 3.0, 0.0], [1.0, 2.0, 0.0]], requires_grad=True)
    retain = torch.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    # DPO-shaped: at the reference both gains are 0 and the loss is -log sigmoid(0) = log 2
    dpo = make_classification_method("dpo_like", {"lr": 1, "epochs": 1, "beta": 0.5})
    assert dpo.loss(step(forget, retain)).item() == pytest.approx(np.log(2))
    # the study's rmu: uniform forget logits and the reference's retain logits leave
    # the retain cross-entropy alone
    uniform = torch.zeros(2, 3)
    rmu = make_classification_method("rmu", {"lr": 1, "epochs": 1, "retain_kl": 0.5})
    ce = torch.nn.functional.cross_entropy(retain, torch.tensor([0, 2]))
    assert rmu.loss(step(uniform, retain)).item() == pytest.approx(ce.item(), abs=1e-6)
    # every forgetting objective's gradient lowers the forget class's logit
    for name, own in (("ga", {}), ("dpo_like", {"beta": 0.5}), ("random_target", {"gamma": 1.0})):
        method = make_classification_method(name, {"lr": 1, "epochs": 1, **own})
        logits = forget.detach().clone().requires_grad_(True)
        method.loss(step(logits, retain, reference_forget=forget.detach())).backward()
        assert (logits.grad[:, 1] > 0).all(), name  # descent lowers the forget logit


def test_a_lora_run_saves_a_plain_classifier_that_unlearns(tmp_path, tiny_encoder):
    """LoRA on the backbone (training.full false): the saved classifier holds merged
    weights, loads as any other, and unlearning starts from it."""
    from unlearnflow.classification.classifier import EmbeddingClassifier
    from unlearnflow.classification.training import train_classifier, unlearn_classifier

    labels = ["apple", "pear", "plum"]
    rows = {
        split: [
            {"id": f"{split}{i}", "text": f"{labels[i % 3]} number {i}", "label": labels[i % 3]}
            for i in range(9)
        ]  # fmt: skip
        for split in ("train", "validation")
    }
    splits = {}
    for split, items in rows.items():
        splits[split] = tmp_path / f"{split}.jsonl"
        splits[split].write_text("".join(json.dumps(row) + "\n" for row in items))
    classes = tmp_path / "classes.json"
    classes.write_text(json.dumps({"classes": labels, "forget_class": "plum",
                                   "retain_classes": ["apple", "pear"]}))  # fmt: skip
    settings = {
        "full": False,
        "lora": {"rank": 4, "alpha": 8, "target_modules": ["query", "value"]},
        "lr": 1e-3,
        "head_lr": 1e-2,
        "epochs": 1,
        "batch_size": 4,
        "pooling": "mean",
        "max_length": 16,
        "head_hidden": 8,
    }
    original, curve = tmp_path / "original", tmp_path / "original.json"
    train_classifier(tiny_encoder, splits, classes, False, settings, 0, "float32", original, curve)
    assert not (original / "embedder" / "adapter_config.json").exists()
    assert EmbeddingClassifier.load(original).classes == labels
    unlearned = tmp_path / "unlearned"
    unlearn_classifier(original, splits, classes, "ga", {"lr": 1e-3, "epochs": 1}, settings, 0,
                       "float32", unlearned, tmp_path / "unlearned.json")  # fmt: skip
    assert [row["epoch"] for row in json.loads((tmp_path / "unlearned.json").read_text())] == [0, 1]
