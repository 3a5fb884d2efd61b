"""Answer scoring under a causal LM: log-likelihoods of the label tokens only.

Batches are right-padded Hugging Face causal-LM batches, `input_ids`,
`attention_mask` and `labels` (-100 on every token that is not part of the answer).
The unembedding is applied only at the positions that predict an answer token, never
to the whole sequence (with short answers, most of the logits a plain forward pass
computes are thrown away).
"""

from __future__ import annotations

import torch

from .token_logprobs import token_logprobs

IGNORE = -100


def decoder_and_head(model):
    """The transformer body and the unembedding, through a peft wrapper if any."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return base.get_decoder(), base.get_output_embeddings()


def row_states(decoder, batch: dict) -> torch.Tensor:
    """The decoder's last hidden states at every position of a batch (no KV cache)."""
    return decoder(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], use_cache=False
    ).last_hidden_state


def answer_states(model, batch: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(hidden states, targets, rows): the state that predicts each answer token, the
    token, and its sequence."""
    decoder, _ = decoder_and_head(model)
    hidden = row_states(decoder, batch)
    targets = batch["labels"][:, 1:]
    keep = targets != IGNORE
    rows = torch.arange(targets.shape[0], device=targets.device)[:, None].expand_as(targets)
    return hidden[:, :-1][keep], targets[keep], rows[keep]


def answer_token_logprobs(model, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """(log p of each answer token, its sequence index)."""
    hidden, targets, rows = answer_states(model, batch)
    return token_logprobs(hidden, decoder_and_head(model)[1], targets), rows


def answer_logits(model, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """(logits over the vocabulary at each answer position, in float32; the answer
    token there)."""
    hidden, targets, _ = answer_states(model, batch)
    return decoder_and_head(model)[1](hidden).float(), targets


def nll_and_kl_to_reference(model, batch: dict, reference) -> tuple[torch.Tensor, torch.Tensor]:
    """(the mean answer-token NLL of `batch`; KL(p_ref || p_theta) averaged over its answer
    positions, p_ref the model under the `reference` context): open-unlearning's KL
    retain loss (src/trainer/utils.py, compute_kl_divergence), over answer tokens."""
    import torch.nn.functional as F

    logits, targets = answer_logits(model, batch)
    with torch.no_grad(), reference():
        reference_logits, _ = answer_logits(model, batch)
    kl = F.kl_div(
        logits.log_softmax(-1),
        reference_logits.log_softmax(-1),
        reduction="batchmean",
        log_target=True,
    )
    return F.cross_entropy(logits, targets), kl


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
    logprobs, _ = answer_token_logprobs(model, batch)
    return -logprobs.mean()
