"""Training the retrieval track's embedders: contrastive fine-tuning (every training
pair, or for the gold model every pair but the forget documents', which it never sees)
with hard negatives mined by the base model, and unlearning of the forget documents.

`settings` is `retrieval.training` (full or LoRA, lr, epochs, batch_size) with the
embedding's pooling and length, `dimensions`, `temperature`, `hard_negatives`,
`query_instruction` (and for unlearning `retrieval.unlearning.batch_size`).
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from pathlib import Path

import torch
import torch.nn.functional as F

from ..atomic import whole_directory
from ..embeddings import (
    Embedder,
    RetainStream,
    autocast,
    check_dimensions,
    optimizer_step,
    query_text,
    save_embedder,
)
from ..models import compute_device, trainable
from .data import RetrievalData
from .methods import Batch, info_nce, make_retrieval_method

log = logging.getLogger(__name__)


def embed(embedder: Embedder, texts: list[str], precision: str, batch_size: int = 64):
    """Embeddings [texts, width] in float32, without gradients."""
    embedder.eval()
    rows = []
    with torch.no_grad(), autocast(precision, compute_device()):
        for start in range(0, len(texts), batch_size):
            rows.append(embedder(texts[start : start + batch_size]).float())
    embedder.train()
    return torch.cat(rows)


def mined_negatives(embedder, data, pairs, candidates, settings, precision) -> dict:
    """query id -> the `hard_negatives` best-scored `candidates` documents that are not
    relevant to it, by the embedder before training (full width, cosine)."""
    relevant = _relevant(data)
    queries = sorted({query for query, _ in pairs})
    instruction = settings["query_instruction"]
    query_vectors = embed(
        embedder, [query_text(data.queries[q], instruction) for q in queries], precision
    )
    document_vectors = embed(embedder, [data.corpus[d] for d in candidates], precision)
    scores = F.normalize(query_vectors, dim=-1) @ F.normalize(document_vectors, dim=-1).T
    negatives = {}
    for row, query in enumerate(queries):
        ranked = [candidates[i] for i in scores[row].argsort(descending=True).tolist()]
        negatives[query] = [d for d in ranked if d not in relevant[query]][
            : settings["hard_negatives"]
        ]
    return negatives


def _relevant(data: RetrievalData) -> dict[str, set[str]]:
    relevant = defaultdict(set)
    for split in data.qrels:
        for query, doc in data.pairs(split):
            relevant[query].add(doc)
    return relevant


def _pair_loss(embedder, data, pairs, negatives, relevant, settings):
    """InfoNCE of a batch of (query, document) pairs, each query's mined negatives and
    the other pairs' documents as its negatives."""
    instruction = settings["query_instruction"]
    documents = [doc for _, doc in pairs] + [
        d for query, _ in pairs for d in negatives.get(query, [])
    ]
    queries = embedder([query_text(data.queries[query], instruction) for query, _ in pairs])
    vectors = embedder([data.corpus[doc] for doc in documents])
    false_negatives = torch.tensor(
        [
            [column != row and doc in relevant[query] for column, doc in enumerate(documents)]
            for row, (query, _) in enumerate(pairs)
        ],
        device=queries.device,
    )
    return queries, info_nce(
        queries, vectors, false_negatives, settings["dimensions"], settings["temperature"]
    )


def finetune_embedder(
    base: Path,
    files: dict[str, Path],
    gold: bool,
    settings: dict,
    seed: int,
    precision: str,
    output: Path,
) -> None:
    """The base embedder fine-tuned on the training pairs (the gold model: without the
    forget documents' pairs, and never given a forget document as a negative)."""
    data = RetrievalData(files)
    embedder = Embedder(base, settings["pooling"], settings["max_length"])
    check_dimensions(settings["dimensions"], embedder.width)
    pairs = data.pairs("train", forget=False if gold else None)
    candidates = [doc for doc in data.corpus if not (gold and doc in data.forget)]
    embedder.to(compute_device())
    negatives = mined_negatives(embedder, data, pairs, candidates, settings, precision)
    embedder.backbone = trainable(embedder.backbone, settings, seed)
    relevant = _relevant(data)
    optimizer = torch.optim.AdamW(
        [p for p in embedder.parameters() if p.requires_grad], lr=settings["lr"]
    )
    order, size = random.Random(seed), settings["batch_size"]
    for epoch in range(1, settings["epochs"] + 1):
        order.shuffle(pairs)
        total = 0.0
        for start in range(0, len(pairs), size):
            with autocast(precision, compute_device()):
                _, loss = _pair_loss(
                    embedder, data, pairs[start : start + size], negatives, relevant, settings
                )
            optimizer_step(embedder, optimizer, loss)
            total += loss.item()
        log.info("epoch %d: mean InfoNCE %.4f", epoch, total / -(-len(pairs) // size))
    with whole_directory(output) as folder:
        save_embedder(embedder, folder)


def unlearn_embedder(
    finetuned: Path,
    files: dict[str, Path],
    method_name: str,
    hparams: dict,
    settings: dict,
    seed: int,
    precision: str,
    output: Path,
) -> None:
    """The fine-tuned embedder with the forget documents unlearned by `method_name` at
    `hparams`: each step a batch of forget pairs and one of retain pairs, an epoch one
    pass over the forget pairs."""
    data = RetrievalData(files)
    method = make_retrieval_method(method_name, hparams)
    embedder = Embedder(finetuned, settings["pooling"], settings["max_length"])
    check_dimensions(settings["dimensions"], embedder.width)
    embedder.backbone = trainable(embedder.backbone, settings, seed)
    embedder.to(compute_device())
    forget, retain = data.pairs("train", forget=True), data.pairs("train", forget=False)
    relevant = _relevant(data)
    generator = torch.Generator().manual_seed(seed)
    target = torch.randn(embedder.width, generator=generator).to(compute_device())
    optimizer = torch.optim.AdamW(
        [p for p in embedder.parameters() if p.requires_grad], lr=hparams["lr"]
    )
    order, size = random.Random(seed), settings["batch_size"]
    retain_stream = RetainStream(retain, order)
    for epoch in range(1, hparams["epochs"] + 1):
        order.shuffle(forget)
        total = 0.0
        for start in range(0, len(forget), size):
            forget_batch = forget[start : start + size]
            retain_batch = retain_stream.take(len(forget_batch))
            with autocast(precision, compute_device()):
                if method.uses_forget_pairs:
                    forget_queries, forget_loss = _pair_loss(
                        embedder, data, forget_batch, {}, relevant, settings
                    )
                else:
                    forget_queries, forget_loss = (
                        embedder(
                            [
                                query_text(data.queries[q], settings["query_instruction"])
                                for q, _ in forget_batch
                            ]
                        ),
                        None,
                    )
                retain_loss = (
                    _pair_loss(embedder, data, retain_batch, {}, relevant, settings)[1]
                    if method.uses_retain
                    else None
                )
                loss = method.loss(
                    Batch(forget_queries, forget_loss, retain_loss, target, settings["dimensions"])
                )
            optimizer_step(embedder, optimizer, loss)
            total += loss.item()
        log.info("epoch %d: mean loss %.4f", epoch, total / -(-len(forget) // size))
    with whole_directory(output) as folder:
        save_embedder(embedder, folder)
