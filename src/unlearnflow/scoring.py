"""Answer scoring under a causal LM: log-likelihoods of the label tokens only.

Batches are Hugging Face causal-LM batches: `input_ids`, `attention_mask` and
`labels`, with -100 on every token that is not part of the answer. The decoder runs
once; the unembedding is applied only at the positions that predict an answer
token, never to the whole sequence (with short answers, most of the logits a plain
forward pass computes are thrown away).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

IGNORE = -100


def _decoder_and_head(model):
    """The transformer body and the unembedding, through a peft wrapper if any."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return base.get_decoder(), base.get_output_embeddings()


def answer_logits(model, batch: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(logits, targets, rows): one row of logits per answer token, and its sequence."""
    decoder, head = _decoder_and_head(model)
    hidden = decoder(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
    ).last_hidden_state
    targets = batch["labels"][:, 1:]
    keep = targets != IGNORE
    rows = torch.arange(targets.shape[0], device=targets.device)[:, None].expand_as(targets)
    return head(hidden[:, :-1][keep]).float(), targets[keep], rows[keep]


def answer_token_logprobs(model, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """(log p of each answer token, its sequence index)."""
    logits, targets, rows = answer_logits(model, batch)
    return -F.cross_entropy(logits, targets, reduction="none"), rows


def sequence_nll(model, batch: dict, reduction: str = "mean") -> torch.Tensor:
    """Per-sequence negative log-likelihood of the answer: `sum` or per-token `mean`."""
    logprobs, rows = answer_token_logprobs(model, batch)
    size = batch["labels"].shape[0]
    total = torch.zeros(size, device=logprobs.device).index_add(0, rows, -logprobs)
    if reduction == "sum":
        return total
    counts = torch.zeros(size, device=logprobs.device).index_add(0, rows, torch.ones_like(logprobs))
    return total / counts.clamp(min=1)


def mean_answer_nll(model, batch: dict) -> torch.Tensor:
    """The usual fine-tuning loss: NLL averaged over all answer tokens of the batch."""
    logits, targets, _ = answer_logits(model, batch)
    return F.cross_entropy(logits, targets)
