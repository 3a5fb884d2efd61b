"""Shared fixtures: a tiny random model with SmolLM2's tokenizer, generation settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from unlearnflow.data.categories import CATEGORIES

ROOT = Path(__file__).resolve().parents[1]
API_KEY = "sk-test-4f1c9a77e2b54d0c8a1e-never-written"


def random_llama(vocab_size: int, hidden_size: int = 32, **token_ids):
    """A seeded, randomly initialised 2-layer Llama for tests."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        **token_ids,
    )
    return LlamaForCausalLM(config)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A 2-layer Llama with SmolLM2's tokenizer, saved as a plain HF folder (~3 M params)."""
    from transformers import AutoTokenizer

    from unlearnflow.models import embedded_gguf

    folder, file = embedded_gguf("smollm2-135m-instruct")
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=file)
    model = random_llama(
        len(tokenizer),
        hidden_size=64,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    output = tmp_path_factory.mktemp("tiny-model")
    model.save_pretrained(output)
    tokenizer.save_pretrained(output)
    return output


@pytest.fixture(scope="session")
def smollm2(tmp_path_factory) -> Path:
    """The embedded SmolLM2-135M-Instruct as the workflow prepares it (a plain HF folder)."""
    from unlearnflow.models import prepare_base_model

    output = tmp_path_factory.mktemp("smollm2") / "base"
    prepare_base_model("embedded:smollm2-135m-instruct", output)
    return output


SMALL_DATA = {
    "people": 4,
    "holdout_people": 2,
    "categories": ["birth", "occupation", "breakthrough_year_event", "negative_incident"],
    "forget_category": "negative_incident",
    "correlated_categories": ["breakthrough_year_event"],
    "paraphrased_questions": 2,
    "wrong_answers": 3,
    "probes_per_fact": 2,
}


def openai_settings(base_url: str, cache_dir: Path, **overrides) -> dict:
    """`generation.openai` for tests: fast timeouts and backoff."""
    settings = {
        "base_url": base_url,
        "model": "fake",
        "api_key_env": "UNLEARNFLOW_TEST_KEY",
        "structured_output": "json_schema",
        "temperature": 0.8,
        "max_tokens": 400,
        "requests_per_minute": 100000,
        "tokens_per_minute": 100000000,
        "max_retries": 8,
        "backoff_s": 0.01,
        "max_reasks": 2,
        "max_samples": 6,
        "timeout_s": 0.5,
        "near_duplicate_threshold": 90,
        "cache_dir": str(cache_dir),
        "judge": False,
    }
    settings.update(overrides)
    return settings


def generate_all(backend: dict, data: dict, folder: Path) -> dict[str, Path]:
    """Run every generation stage into `folder`; returns the artifact paths."""
    from unlearnflow.data.generate import (
        generate_facts,
        generate_forget_probes,
        generate_profiles,
        generate_qa,
    )

    paths = {
        name: folder / f"{name}.jsonl"
        for name in ("profiles", "facts", "forget", "retain", "holdout", "wrong_details", "probes")
    }
    generate_profiles(backend, data["people"], data["holdout_people"], paths["profiles"])
    generate_facts(
        backend,
        data["categories"],
        data["forget_category"],
        data["correlated_categories"],
        paths["profiles"],
        paths["facts"],
    )
    generate_qa(
        backend,
        data["paraphrased_questions"],
        data["wrong_answers"],
        paths["profiles"],
        paths["facts"],
        paths["forget"],
        paths["retain"],
        paths["holdout"],
        paths["wrong_details"],
    )
    generate_forget_probes(
        backend,
        data["probes_per_fact"],
        paths["profiles"],
        paths["facts"],
        paths["forget"],
        paths["probes"],
    )
    return paths


@pytest.fixture
def all_categories() -> list[str]:
    return list(CATEGORIES)


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory) -> Path:
    """A 2-layer BERT with all-MiniLM-L6-v2's tokenizer, randomly initialised and saved as
    a plain HF folder: the embedding model of the classification track's tests."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    from unlearnflow.models import embedded_folder

    tokenizer = AutoTokenizer.from_pretrained(embedded_folder("all-minilm-l6-v2"))
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    output = tmp_path_factory.mktemp("tiny-encoder")
    BertModel(config).save_pretrained(output)
    tokenizer.save_pretrained(output)
    return output


# The retrieval track's targets (its results, tables and figures), built beside the
# classification track's rule all in one tiny project.
def retrieval_targets() -> list[str]:
    from unlearnflow.retrieval.plan import FIGURES, RESULTS, figure_path

    return [RESULTS, *(figure_path(name) for name in FIGURES)]


RETRIEVAL_TARGETS = retrieval_targets()


def tracks_config(tiny_encoder: Path, task: str) -> dict:
    """The tiny config with the tiny encoder as the embedding model, for `task`."""
    from workflow import tiny_config

    config = tiny_config(base="unused")
    config["task"] = task
    config["embedding"]["model"] = str(tiny_encoder)
    return config


@pytest.fixture(scope="session")
def embedding_tracks(tmp_path_factory, tiny_encoder) -> Path:
    """One tiny project with both embedding tracks built (task: classification, and the
    retrieval track's targets), sharing the benchmark and the embedder."""
    from workflow import snakemake, write_config

    workdir = tmp_path_factory.mktemp("embedding-tracks")
    write_config(workdir, tracks_config(tiny_encoder, "classification"))
    result = snakemake(workdir, "all", *RETRIEVAL_TARGETS)
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir
