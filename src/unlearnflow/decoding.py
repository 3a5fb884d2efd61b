"""Greedy decoding of batched prompts, where a finished answer stops costing compute.

The prompts run once (prompt_pass.run_prompts: their shared chat header once for all);
after that each step runs one token per unfinished row and applies the unembedding
to that token only. A row that emits a stop token leaves the batch, and its KV cache
rows with it, so a batch of short answers is not padded out to its longest one.
"""

from __future__ import annotations

import torch

from .prompt_pass import PromptPass
from .scoring import decoder_and_head


def stop_token_ids(model, tokenizer) -> set[int]:
    """The generation config's end-of-sequence tokens, else the tokenizer's."""
    eos = model.generation_config.eos_token_id
    if eos is None:
        eos = tokenizer.eos_token_id
    return set(eos) if isinstance(eos, list) else {eos}


@torch.inference_mode()
def greedy_after(
    model, prompts: PromptPass, max_new_tokens: int, stop_ids: set[int]
) -> list[list[int]]:
    """The greedy continuation of each prompt of the pass, without its stop token, at
    most `max_new_tokens` long; the same tokens as `generate(do_sample=False)`. The
    pass's cache is used up: it ends holding the decoded rows' keys and values."""
    decoder, head = decoder_and_head(model)
    device = decoder.device
    cache, mask = prompts.cache, prompts.mask
    positions = mask.sum(-1, keepdim=True)
    rows = torch.arange(mask.shape[0], device=device)
    stops = torch.tensor(sorted(stop_ids), device=device)
    outputs: list[list[int]] = [[] for _ in range(mask.shape[0])]
    tokens = head(prompts.last_hidden).argmax(-1)
    for step in range(max_new_tokens):
        finished = torch.isin(tokens, stops)
        for row, token in zip(rows[~finished].tolist(), tokens[~finished].tolist(), strict=True):
            outputs[row].append(token)
        if step == max_new_tokens - 1 or finished.all():
            break
        if finished.any():
            going = (~finished).nonzero()[:, 0]
            cache.batch_select_indices(going)
            rows, tokens = rows[going], tokens[going]
            mask, positions = mask[going], positions[going]
        mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
        hidden = decoder(
            input_ids=tokens[:, None],
            attention_mask=mask,
            position_ids=positions,
            past_key_values=cache,
            use_cache=True,
        ).last_hidden_state
        positions = positions + 1
        tokens = head(hidden[:, -1]).argmax(-1)
    return outputs
