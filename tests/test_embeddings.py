"""Pooling, query instructions and Matryoshka truncation, against per-row computations."""

import pytest
import torch

from unlearnflow.embeddings import EmbeddingError, matryoshka, pool, query_text

LENGTHS = [3, 5, 1]


def padded(side: str):
    """Random states of three sequences of `LENGTHS` real tokens, padded to 5 on `side`,
    with each sequence's real states apart."""
    generator = torch.Generator().manual_seed(0)
    states = torch.randn(3, 5, 4, generator=generator)
    mask = torch.zeros(3, 5, dtype=torch.long)
    real = []
    for row, length in enumerate(LENGTHS):
        span = slice(5 - length, 5) if side == "left" else slice(0, length)
        mask[row, span] = 1
        real.append(states[row, span])
    return states, mask, real


@pytest.mark.parametrize("side", ["left", "right"])
def test_last_token_and_mean_pooling_read_only_real_tokens(side):
    states, mask, real = padded(side)
    torch.testing.assert_close(pool(states, mask, "last_token"), torch.stack([r[-1] for r in real]))
    torch.testing.assert_close(pool(states, mask, "mean"), torch.stack([r.mean(0) for r in real]))
    with pytest.raises(EmbeddingError, match="config key embedding.pooling: 'max'"):
        pool(states, mask, "max")


def test_queries_carry_the_instruction_and_documents_none():
    assert query_text("who?", "Find the fact") == "Instruct: Find the fact\nQuery:who?"
    assert query_text("who?", None) == "who?"


def test_matryoshka_slices_are_unit_vectors_of_the_leading_dimensions():
    embeddings = torch.tensor([[3.0, 4.0, 12.0], [1.0, 0.0, 0.0]])
    sliced = matryoshka(embeddings, [2, 3])
    torch.testing.assert_close(sliced[2][0], torch.tensor([0.6, 0.8]))
    torch.testing.assert_close(sliced[3][0], torch.tensor([3.0, 4.0, 12.0]) / 13)
    assert torch.allclose(sliced[3].norm(dim=-1), torch.ones(2))
    with pytest.raises(EmbeddingError, match=r"retrieval.dimensions: \[4\] outside 1 to"):
        matryoshka(embeddings, [2, 4])


def test_the_width_of_a_model_is_read_without_loading_it(tiny_encoder, monkeypatch):
    """From config.json where it is on disk; None where only loading would tell, and
    for a packaged model whose package is missing (its job says so, not every plan)."""
    import importlib.util

    from unlearnflow.models import model_width

    assert model_width(str(tiny_encoder)) == 32
    assert model_width("embedded:all-minilm-l6-v2") == 384
    assert model_width("Qwen/Qwen3-Embedding-0.6B") is None
    assert model_width("embedded:smollm2-135m-instruct") is None
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert model_width("embedded:all-minilm-l6-v2") is None
