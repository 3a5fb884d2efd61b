"""Evaluation prompts run once, their KV cache serving every continuation.

TOFU-style evaluation scores several answer variants per question and generates a
greedy answer: the prompts run once (`run_prompts`, the chat header they all start with
once for the batch), and every answer variant (`answers_after`) and the greedy answer
(decoding.py) continue from their KV cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from .scoring import decoder_and_head

if TYPE_CHECKING:
    from transformers import Cache


def common_prefix_length(sequences: list[list[int]]) -> int:
    """Tokens that every sequence starts with, leaving each at least one of its own."""
    limit = min(len(sequence) for sequence in sequences) - 1
    length = 0
    while length < limit and all(s[length] == sequences[0][length] for s in sequences):
        length += 1
    return length


@dataclass
class PromptPass:
    """Prompts run once: each prompt's last hidden state (it predicts the first answer
    token), the KV cache and the attention mask over prefix and prompts."""

    last_hidden: torch.Tensor
    cache: Cache
    mask: torch.Tensor

    def select(self, owner: torch.Tensor) -> PromptPass:
        """A copy whose row i is prompt owner[i] (this pass is left as it is)."""
        return PromptPass.join([(self, owner)])

    @staticmethod
    def join(parts: list[tuple[PromptPass, torch.Tensor]]) -> PromptPass:
        """The given rows of each pass in one, each left-padded (masked out) to the widest."""
        from transformers import DynamicCache

        width = max(p.mask.shape[1] for p, _ in parts)

        def widened(tensor: torch.Tensor, dim: int) -> torch.Tensor:
            before = width - tensor.shape[dim]
            return torch.nn.functional.pad(tensor, [0, 0] * (tensor.dim() - 1 - dim) + [before, 0])

        layers = [
            [
                torch.cat([widened(getattr(layer, part)[rows], 2) for layer, rows in same_layer])
                for part in ("keys", "values")
            ]
            for same_layer in zip(
                *([(layer, rows) for layer in p.cache.layers] for p, rows in parts), strict=True
            )
        ]
        return PromptPass(
            torch.cat([p.last_hidden[rows] for p, rows in parts]),
            DynamicCache(layers),
            torch.cat([widened(p.mask[rows], 1) for p, rows in parts]),
        )


def run_prompts(decoder, prompts: list[list[int]], pad_id: int) -> PromptPass:
    """Token prompts, each left-padded after their common prefix (which runs once, and
    its KV cache is repeated for every row). Positions count only real tokens."""
    device = decoder.device
    shared = common_prefix_length(prompts)
    rests = [prompt[shared:] for prompt in prompts]
    width = max(len(rest) for rest in rests)
    ids = torch.full((len(rests), width), pad_id, dtype=torch.long, device=device)
    mask = torch.zeros_like(ids)
    for row, rest in enumerate(rests):
        ids[row, width - len(rest) :] = torch.tensor(rest)
        mask[row, width - len(rest) :] = 1
    cache = None
    if shared:
        prefix = torch.tensor(prompts[0][:shared], dtype=torch.long, device=device)
        cache = decoder(input_ids=prefix[None], use_cache=True).past_key_values
        cache.batch_repeat_interleave(len(rests))
        mask = torch.cat([torch.ones_like(mask[:, :1]).expand(-1, shared), mask], dim=1)
    out = decoder(
        input_ids=ids,
        attention_mask=mask,
        position_ids=(mask.cumsum(-1) - 1).clamp(min=0)[:, -width:],
        past_key_values=cache,
        use_cache=True,
    )
    return PromptPass(out.last_hidden_state[:, -1], out.past_key_values, mask)


def answers_after(model, prompts: PromptPass, owner: list[int], answers: list[list[int]], pad_id):
    """Logits of each answer token, answer i continuing prompt owner[i].

    The prompts' cache rows are repeated for their answers and only the answer tokens
    run after them. Returns (logits, targets, answer index).
    """
    decoder, head = decoder_and_head(model)
    device = decoder.device
    context = prompts.select(torch.tensor(owner, device=device))
    length = max(len(a) for a in answers)
    answer_ids = torch.full((len(answers), length), pad_id, dtype=torch.long, device=device)
    answer_mask = torch.zeros_like(answer_ids)
    for row, answer in enumerate(answers):
        answer_ids[row, : len(answer)] = torch.tensor(answer)
        answer_mask[row, : len(answer)] = 1
    positions = context.mask.sum(-1)[:, None] + torch.arange(length, device=device)
    hidden = decoder(
        input_ids=answer_ids,
        attention_mask=torch.cat([context.mask, answer_mask], dim=1),
        position_ids=positions,
        past_key_values=context.cache,
    ).last_hidden_state
    # the prompt's last state predicts each answer's first token
    predictors = torch.cat([context.last_hidden[:, None], hidden[:, :-1]], dim=1)
    keep = answer_mask.bool()
    rows = torch.arange(len(answers), device=device)[:, None].expand_as(answer_ids)
    return head(predictors[keep]).float(), answer_ids[keep], rows[keep]
