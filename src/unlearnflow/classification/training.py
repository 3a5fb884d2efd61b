"""Training the classification track's models: the original (every class) and the gold
model (the retain classes, its own head) by cross-entropy, and class unlearning from
the original by one of `methods.CLASSIFICATION_METHODS`.

Training runs in float32 master weights under autocast where `precision` is bfloat16.
Each run records its curve, one row per epoch from epoch 0: validation MCC for the
original and gold models; retain MCC and forget-class recall on the validation split
for unlearning (the study's retain-MCC training curves).
"""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .. import embeddings
from ..atomic import write_text_atomic
from ..models import compute_device, trainable
from .classifier import EmbeddingClassifier
from .data import read_split
from .methods import Step, make_classification_method
from .metrics import mcc, recall

log = logging.getLogger(__name__)


def autocast(precision: str):
    return embeddings.autocast(precision, compute_device())


def predict(model: EmbeddingClassifier, texts: list[str], batch_size: int, precision: str):
    """Probabilities [items, classes] as a numpy array."""
    model.eval()
    rows = []
    with torch.no_grad(), autocast(precision):
        for start in range(0, len(texts), batch_size):
            rows.append(F.softmax(model(texts[start : start + batch_size]), -1).cpu())
    model.train()
    return torch.cat(rows).numpy() if rows else np.zeros((0, len(model.classes)))


def _optimizer(model: EmbeddingClassifier, lr: float, head_lr: float):
    backbone = [p for p in model.embedder.parameters() if p.requires_grad]
    return torch.optim.AdamW(
        [{"params": backbone, "lr": lr}, {"params": model.head.parameters(), "lr": head_lr}]
    )


def _write_curve(path: Path, rows: list[dict]) -> None:
    write_text_atomic(path, json.dumps(rows, indent=1) + "\n")


def train_classifier(
    backbone: Path,
    splits: dict[str, Path],
    classes_file: Path,
    gold: bool,
    settings: dict,
    seed: int,
    precision: str,
    output: Path,
    curve: Path,
) -> None:
    """The original model (`gold` False: every class) or the gold model (the retain
    classes only, its head over them), trained by cross-entropy for `settings["epochs"]`
    with the learning rate decaying linearly to zero; `settings` is
    `classification.training` (lr, head_lr, epochs, batch_size, full, lora, head_hidden)
    with the `embedding` settings (pooling, max_length)."""
    plan = json.loads(Path(classes_file).read_text())
    classes = plan["retain_classes"] if gold else plan["classes"]
    train = [row for row in read_split(splits["train"]) if row["label"] in classes]
    validation = [row for row in read_split(splits["validation"]) if row["label"] in classes]
    model = EmbeddingClassifier.fresh(
        backbone,
        classes,
        settings["pooling"],
        settings["max_length"],
        settings["head_hidden"],
        seed,
    )
    model.embedder.backbone = trainable(model.embedder.backbone, settings, seed)
    model.to(compute_device())
    index = {label: number for number, label in enumerate(classes)}
    optimizer = _optimizer(model, settings["lr"], settings["head_lr"])
    size = settings["batch_size"]
    steps = settings["epochs"] * -(-len(train) // size)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda done: 1 - done / steps)
    order = random.Random(seed)

    def validation_mcc() -> float:
        probs = predict(model, [row["text"] for row in validation], 64, precision)
        return mcc([index[row["label"]] for row in validation], probs.argmax(-1))

    rows = [{"epoch": 0, "validation_mcc": validation_mcc()}]
    for epoch in range(1, settings["epochs"] + 1):
        order.shuffle(train)
        for start in range(0, len(train), size):
            batch = train[start : start + size]
            labels = torch.tensor([index[row["label"]] for row in batch], device=compute_device())
            with autocast(precision):
                loss = F.cross_entropy(model([row["text"] for row in batch]), labels)
            embeddings.optimizer_step(model, optimizer, loss)
            schedule.step()
        rows.append({"epoch": epoch, "validation_mcc": validation_mcc()})
        log.info("epoch %d: validation MCC %.3f", epoch, rows[-1]["validation_mcc"])
    model.save(output)
    _write_curve(curve, rows)


def unlearn_classifier(
    original: Path,
    splits: dict[str, Path],
    classes_file: Path,
    method_name: str,
    hparams: dict,
    settings: dict,
    seed: int,
    precision: str,
    output: Path,
    curve: Path,
) -> None:
    """The original classifier with its forget class unlearned by `method_name` at
    `hparams` (lr, epochs and the method's own): each step a forget batch and a retain
    batch of `settings["batch_size"]`, an epoch one pass over the forget training items;
    the backbone trains as `settings` says (full or LoRA), the head in full, both at `lr`."""
    plan = json.loads(Path(classes_file).read_text())
    classes, forget_class = plan["classes"], plan["forget_class"]
    index = {label: number for number, label in enumerate(classes)}
    train = read_split(splits["train"])
    forget = [row for row in train if row["label"] == forget_class]
    retain = [row for row in train if row["label"] != forget_class]
    validation = read_split(splits["validation"])
    method = make_classification_method(method_name, hparams)
    model = EmbeddingClassifier.load(original)
    reference = {
        row["id"]: torch.from_numpy(probs).clamp_min(1e-30).log()
        for row, probs in zip(
            forget + retain,
            predict(model, [row["text"] for row in forget + retain], 64, precision),
            strict=True,
        )
    }
    model.embedder.backbone = trainable(model.embedder.backbone, settings, seed)
    model.to(compute_device())
    optimizer = _optimizer(model, hparams["lr"], hparams["lr"])
    generator = torch.Generator().manual_seed(seed)
    retain_class_ids = torch.tensor([index[label] for label in plan["retain_classes"]])
    order = random.Random(seed)
    size = settings["batch_size"]

    def validation_row(epoch: int) -> dict:
        probs = predict(model, [row["text"] for row in validation], 64, precision)
        labels = np.array([index[row["label"]] for row in validation])
        kept = labels != index[forget_class]
        return {
            "epoch": epoch,
            "retain_mcc": mcc(labels[kept], probs.argmax(-1)[kept]),
            "forget_recall": recall(labels, probs.argmax(-1), index[forget_class]),
        }

    def tensors(batch: list[dict]):
        labels = torch.tensor([index[row["label"]] for row in batch], device=compute_device())
        return labels, torch.stack([reference[row["id"]] for row in batch]).to(compute_device())

    rows = [validation_row(0)]
    retain_stream = embeddings.RetainStream(retain, order)
    for epoch in range(1, hparams["epochs"] + 1):
        order.shuffle(forget)
        for start in range(0, len(forget), size):
            forget_batch = forget[start : start + size]
            retain_batch = retain_stream.take(len(forget_batch))
            forget_labels, reference_forget = tensors(forget_batch)
            retain_labels, reference_retain = tensors(retain_batch)
            with autocast(precision):
                step = Step(
                    forget=model([row["text"] for row in forget_batch]),
                    forget_labels=forget_labels,
                    retain=model([row["text"] for row in retain_batch])
                    if method.uses_retain
                    else None,
                    retain_labels=retain_labels,
                    reference_forget=reference_forget,
                    reference_retain=reference_retain,
                    retain_class_ids=retain_class_ids,
                    generator=generator,
                )
                loss = method.loss(step)
            embeddings.optimizer_step(model, optimizer, loss)
        rows.append(validation_row(epoch))
        log.info("epoch %d: %s", epoch, rows[-1])
    model.save(output)
    _write_curve(curve, rows)


def evaluate_classifier(
    model_dir: Path, test: Path, batch_size: int, precision: str, output: Path
) -> None:
    """The classifier's probabilities for every test item, with the item's id and label."""
    model = EmbeddingClassifier.load(model_dir).to(compute_device())
    rows = read_split(test)
    probs = predict(model, [row["text"] for row in rows], batch_size, precision)
    items = [
        {"id": row["id"], "label": row["label"], "probs": [float(p) for p in item]}
        for row, item in zip(rows, probs, strict=True)
    ]
    write_text_atomic(output, json.dumps({"classes": model.classes, "items": items}) + "\n")
