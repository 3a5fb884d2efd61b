"""The retrieval track's losses: InfoNCE with Matryoshka dimensions for fine-tuning, and
the objectives that unlearn a set of documents.

InfoNCE (van den Oord et al. 2018), as embedding models train (e.g. Qwen3-Embedding,
arXiv:2506.05176): each query's positive document against every other document of the
batch (the other queries' positives and every mined hard negative), cosine similarity
over `temperature`; documents relevant to the query besides its positive are masked out.
Matryoshka representation learning (Kusupati et al. 2022) averages the loss over the
leading slices of the embedding, each renormalised (`embeddings.matryoshka`).

Unlearning objectives, each step over a forget batch and a retain batch of pairs; every
method takes `lr` and `epochs` (passes over the forget pairs):
- `ga`: ascent on the forget pairs' InfoNCE (gradient ascent, Jang et al. 2023).
- `gd`: that ascent plus `retain_weight` times the retain pairs' InfoNCE (gradient
  difference, Liu et al. 2022), the retain-regularised variant.
- `random_target`: the forget queries' embeddings pulled toward one fixed random unit
  vector (cosine distance, at every dimension), plus `retain_weight` times the retain
  InfoNCE: RMU's random target (Li et al. 2024) on the embedding itself.

Torch is imported inside the losses only: the workflow reads this registry while it
builds its DAG.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


def info_nce(
    queries: torch.Tensor,
    documents: torch.Tensor,
    false_negatives: torch.Tensor,
    dimensions: list[int],
    temperature: float,
) -> torch.Tensor:
    """Mean over `dimensions` of InfoNCE: `queries` [b, width], `documents` [n, width]
    whose first b rows are the queries' positives; `false_negatives` [b, n] True where a
    document other than the positive is relevant to the query (masked)."""
    import torch
    import torch.nn.functional as F

    from ..embeddings import matryoshka

    targets = torch.arange(queries.shape[0], device=queries.device)
    sliced_queries, sliced_documents = (
        matryoshka(queries, dimensions),
        matryoshka(documents, dimensions),
    )
    losses = []
    for dimension in dimensions:
        logits = sliced_queries[dimension] @ sliced_documents[dimension].T / temperature
        losses.append(F.cross_entropy(logits.masked_fill(false_negatives, float("-inf")), targets))
    return torch.stack(losses).mean()


@dataclass(frozen=True)
class Batch:
    """One unlearning step's embeddings, and the loss of a batch of pairs."""

    forget_queries: torch.Tensor
    forget_loss: torch.Tensor | None  # InfoNCE of the forget pairs
    retain_loss: torch.Tensor | None  # InfoNCE of the retain pairs
    target: torch.Tensor  # the run's random unit vector [width]
    dimensions: list[int]


@dataclass(frozen=True)
class GradientAscent:
    name = "ga"
    uses_retain = False
    uses_forget_pairs = True

    def loss(self, batch: Batch) -> torch.Tensor:
        return -batch.forget_loss


@dataclass(frozen=True)
class GradientDifference:
    name = "gd"
    uses_retain = True
    uses_forget_pairs = True
    retain_weight: float = 1.0

    def loss(self, batch: Batch) -> torch.Tensor:
        return -batch.forget_loss + self.retain_weight * batch.retain_loss


@dataclass(frozen=True)
class RandomTarget:
    name = "random_target"
    uses_retain = True
    uses_forget_pairs = False
    retain_weight: float = 1.0

    def loss(self, batch: Batch) -> torch.Tensor:
        import torch

        from ..embeddings import matryoshka

        queries = matryoshka(batch.forget_queries, batch.dimensions)
        targets = matryoshka(batch.target.unsqueeze(0), batch.dimensions)
        distance = torch.stack(
            [(1 - queries[d] @ targets[d].T).mean() for d in batch.dimensions]
        ).mean()
        return distance + self.retain_weight * batch.retain_loss


RETRIEVAL_METHODS = {m.name: m for m in (GradientAscent, GradientDifference, RandomTarget)}
SHARED = ("lr", "epochs")


def hyperparameter_names(name: str) -> list[str]:
    return [field.name for field in fields(RETRIEVAL_METHODS[name])]


def make_retrieval_method(name: str, hparams: dict):
    own = {key: value for key, value in hparams.items() if key not in SHARED}
    return RETRIEVAL_METHODS[name](**own)
