"""Randomly initialised models of real architectures, for benchmarks on machines that
cannot fetch weights (a GPU box without hub access): the published configs, no download."""

from __future__ import annotations

import torch
from transformers import AutoConfig, AutoModelForCausalLM

SHAPES = {
    "qwen2.5-1.5b": {
        "model_type": "qwen2",
        "hidden_size": 1536,
        "intermediate_size": 8960,
        "num_hidden_layers": 28,
        "num_attention_heads": 12,
        "num_key_value_heads": 2,
        "vocab_size": 151936,
        "max_position_embeddings": 32768,
        "rope_theta": 1000000.0,
        "rms_norm_eps": 1e-6,
        "tie_word_embeddings": True,
    },
}


def random_model(shape: str, dtype: torch.dtype, device: str, attention: str = "sdpa"):
    """A model of `shape` with seeded random weights, initialised where it runs (fast on
    a GPU)."""
    config = AutoConfig.for_model(**SHAPES[shape])
    torch.manual_seed(0)
    with torch.device(device):
        return AutoModelForCausalLM.from_config(config, dtype=dtype, attn_implementation=attention)
