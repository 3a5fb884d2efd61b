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

`Embedder` puts them together over a Hugging Face backbone (any `AutoModel`: a decoder
such as SmolLM2 or Qwen3, an encoder such as MiniLM); `prepare_embedder` writes the
configured model as a plain folder that every track's training starts from.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import torch

from .atomic import whole_directory

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
    check_dimensions(dimensions, embeddings.shape[-1])
    return {d: torch.nn.functional.normalize(embeddings[..., :d], p=2, dim=-1) for d in dimensions}


def prepare_embedder(source: str, output: Path) -> None:
    """`source` (`embedded:<name>`, a local folder or a hub id) as a plain Hugging Face
    folder at `output`: the backbone's weights and its tokenizer."""
    from transformers import AutoModel, AutoTokenizer

    from .models import embedded_folder, load_base_model

    name = source.removeprefix("embedded:")
    folder = embedded_folder(name) if source.startswith("embedded:") else Path(source)
    if folder is None:  # an embedded GGUF chat model, read as an embedder
        model, tokenizer = load_base_model(source)
    else:
        model = AutoModel.from_pretrained(folder, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(folder)
    with whole_directory(output) as target:
        model.save_pretrained(target, safe_serialization=True)
        tokenizer.save_pretrained(target)


class Embedder(torch.nn.Module):
    """Texts to pooled embeddings [batch, width] through a Hugging Face backbone.

    For `last_token` pooling each text ends in the tokenizer's end-of-sequence token (the
    token Qwen3-Embedding reads), added where the tokenizer does not add it itself."""

    def __init__(self, folder: Path, pooling: str, max_length: int):
        super().__init__()
        from transformers import AutoModel, AutoTokenizer

        if pooling not in POOLINGS:
            raise EmbeddingError(f"config key embedding.pooling: {pooling!r} is none of {POOLINGS}")
        self.backbone = AutoModel.from_pretrained(folder, dtype=torch.float32)
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.pooling, self.max_length = pooling, max_length
        self.width = self.backbone.config.hidden_size

    def tokens(self, texts: list[str]) -> dict[str, torch.Tensor]:
        eos = self.tokenizer.eos_token
        if self.pooling == "last_token" and eos:
            texts = [text if text.endswith(eos) else text + eos for text in texts]
        return self.tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        )

    def forward(self, texts: list[str]) -> torch.Tensor:
        device = next(self.backbone.parameters()).device
        batch = {key: value.to(device) for key, value in self.tokens(texts).items()}
        states = self.backbone(**batch).last_hidden_state
        return pool(states, batch["attention_mask"], self.pooling).float()


def save_embedder(embedder: Embedder, output: Path) -> None:
    """The backbone (a LoRA adapter merged into its weights) and tokenizer at `output`."""
    backbone = embedder.backbone
    if hasattr(backbone, "merge_and_unload"):
        backbone = backbone.merge_and_unload()
    backbone.save_pretrained(output, safe_serialization=True)
    embedder.tokenizer.save_pretrained(output)


def autocast(precision: str, device: str):
    """bfloat16 matmuls over float32 master weights where `precision` is bfloat16."""
    if precision == "bfloat16":
        return torch.autocast(device, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def check_dimensions(dimensions: list[int], width: int) -> None:
    """Every Matryoshka dimension within the model's width; else an error naming the key."""
    too_wide = [d for d in dimensions if not 0 < d <= width]
    if too_wide:
        raise EmbeddingError(
            f"config key retrieval.dimensions: {too_wide} outside 1 to the model's width {width}"
        )


def optimizer_step(model: torch.nn.Module, optimizer, loss: torch.Tensor) -> None:
    """One step of the embedding tracks' training: gradients clipped to norm 1."""
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


class RetainStream:
    """The retain items an unlearning step pairs with its forget batch: the retain set
    drawn in a fresh seeded order each time it runs out."""

    def __init__(self, retain: list, order):
        self.retain, self.order, self.queue = retain, order, []

    def take(self, count: int) -> list:
        if len(self.queue) < count:
            self.queue += self.order.sample(self.retain, len(self.retain))
        batch, self.queue = self.queue[:count], self.queue[count:]
        return batch
