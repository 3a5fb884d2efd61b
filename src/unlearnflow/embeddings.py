"""How an embedding model turns text into vectors: pooling, the query instruction and
Matryoshka truncation.

- Pooling. `last_token`: the state of each sequence's last real token, what a decoder
  embedder reads (Qwen3-Embedding's `last_token_pool`, either padding side); `mean`:
  the mean over the real tokens, an encoder's (sentence-transformers' `Pooling` with
  `pooling_mode_mean_tokens`, e.g. all-MiniLM-L6-v2).
- Queries carry an instruction, documents none: `Instruct: {task}\\nQuery:{query}`
  (Qwen3-Embedding's `get_detailed_instruct`).
- Matryoshka representation learning (Kusupati et al. 2022): the first `d` dimensions
  of an embedding are an embedding of their own once L2-normalised again.
"""

from __future__ import annotations

import torch

POOLINGS = ("last_token", "mean")


class EmbeddingError(ValueError):
    """Embedding settings the model cannot meet."""


def pool(states: torch.Tensor, mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """[batch, hidden] from states [batch, tokens, hidden] and the attention mask
    [batch, tokens] (1: a real token), left- or right-padded."""
    if pooling == "mean":
        weights = mask.unsqueeze(-1).to(states.dtype)
        return (states * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
    if pooling != "last_token":
        raise EmbeddingError(f"config key embedding.pooling: {pooling!r} is none of {POOLINGS}")
    if bool(mask[:, -1].all()):  # left padding: every sequence ends at the last position
        return states[:, -1]
    last = mask.sum(dim=1) - 1
    return states[torch.arange(states.shape[0], device=states.device), last]


def query_text(query: str, instruction: str | None) -> str:
    """A query as the embedder reads it: behind its task instruction, where there is one."""
    return f"Instruct: {instruction}\nQuery:{query}" if instruction else query


def matryoshka(embeddings: torch.Tensor, dimensions: list[int]) -> dict[int, torch.Tensor]:
    """Each of `dimensions`' leading slice of `embeddings` [batch, width], L2-normalised."""
    width = embeddings.shape[-1]
    too_wide = [d for d in dimensions if not 0 < d <= width]
    if too_wide:
        raise EmbeddingError(
            f"config key embedding.dimensions: {too_wide} outside 1 to the model's width {width}"
        )
    return {d: torch.nn.functional.normalize(embeddings[..., :d], p=2, dim=-1) for d in dimensions}
