"""Representation drift and the logit lens on a tiny model."""

import math

import pytest
import torch

from unlearnflow.represent import (
    LayerError,
    drift,
    layer_indices,
    logit_lens,
    question_span,
    question_states,
)
from unlearnflow.scoring import sequence_nll

QUESTIONS = ["Where was Mara Quill born?", "What did Ivo Sand do in 1987, and why?"]
ANSWERS = ["She was born in Turin.", "He opened a bakery in Lyon."]


@pytest.fixture(scope="module")
def model_and_tokenizer(tiny_model):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return AutoModelForCausalLM.from_pretrained(tiny_model).eval(), AutoTokenizer.from_pretrained(
        tiny_model
    )


def test_layer_names_and_numbers():
    assert layer_indices("all", 4) == [0, 1, 2, 3, 4]
    assert layer_indices(["last", 0, "middle", 2], 30) == [0, 2, 15, 30]
    with pytest.raises(LayerError, match="representation.layers: 31"):
        layer_indices([31], 30)


def test_question_span_is_the_question_itself(model_and_tokenizer):
    _, tokenizer = model_and_tokenizer
    for system_prompt in ("", None):
        prompt, start, end = question_span(tokenizer, QUESTIONS[1], system_prompt)
        assert tokenizer.decode(prompt[start:end]) == QUESTIONS[1]


@pytest.mark.parametrize("pooling", ["mean", "last"])
def test_drift_is_zero_against_itself_and_positive_for_a_perturbed_copy(
    model_and_tokenizer, tiny_model, pooling
):
    from transformers import AutoModelForCausalLM

    model, tokenizer = model_and_tokenizer
    layers = [0, 1, 2]
    states = question_states(model, tokenizer, QUESTIONS, "", layers, pooling, batch_size=1)
    assert states.shape == (3, 2, model.config.hidden_size)
    unembedding = model.get_output_embeddings().weight
    itself = drift(states, states.clone(), unembedding)
    assert itself["cosine"] == pytest.approx([1, 1, 1])
    assert itself["delta_norm"] == [0, 0, 0] and itself["unembedded_delta_norm"] == [0, 0, 0]

    perturbed = AutoModelForCausalLM.from_pretrained(tiny_model).eval()
    with torch.no_grad():
        perturbed.model.layers[1].mlp.down_proj.weight.mul_(1.5)
    other = question_states(perturbed, tokenizer, QUESTIONS, "", layers, pooling, batch_size=2)
    moved = drift(other, states, unembedding)
    assert moved["delta_norm"][:2] == pytest.approx([0, 0], abs=1e-5)  # before the edit
    assert moved["delta_norm"][2] > 1e-3 and moved["unembedded_delta_norm"][2] > 1e-3
    assert moved["cosine"][2] < 1
    # each question's values, whose mean is the layer's
    assert len(moved["items"]["delta_norm"]) == 3 and len(moved["items"]["delta_norm"][2]) == 2
    assert sum(moved["items"]["delta_norm"][2]) / 2 == pytest.approx(moved["delta_norm"][2])


def test_batching_does_not_change_the_states(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    one = question_states(model, tokenizer, QUESTIONS, "", [0, 2], "mean", batch_size=1)
    both = question_states(model, tokenizer, QUESTIONS, "", [0, 2], "mean", batch_size=2)
    torch.testing.assert_close(one, both, atol=1e-5, rtol=1e-4)


def test_logit_lens_at_the_last_layer_is_the_models_own_answer_probability(model_and_tokenizer):
    from unlearnflow.data.encoding import encode_qa
    from unlearnflow.train import collate

    model, tokenizer = model_and_tokenizer
    pairs = list(zip(QUESTIONS, ANSWERS, strict=True))
    lens = logit_lens(model, tokenizer, pairs, "", [1, 2], batch_size=2)
    batch = collate([encode_qa(tokenizer, q, a, "") for q, a in pairs], tokenizer.pad_token_id)
    with torch.no_grad():
        own = [math.exp(-nll) for nll in sequence_nll(model, batch).tolist()]
    assert lens[1] == pytest.approx(own, rel=1e-4)
    assert lens[0] != pytest.approx(own, rel=1e-2)  # an inner layer reads something else


def test_reference_states_of_other_layers_are_refused(tmp_path):
    from safetensors.torch import save_file

    from unlearnflow.represent import load_reference_states

    path = tmp_path / "finetuned.safetensors"
    save_file({"forget": torch.zeros(3, 2, 4)}, str(path), metadata={"layers": "[0, 1, 2]"})
    assert load_reference_states(path, [0, 1, 2])["forget"].shape == (3, 2, 4)
    with pytest.raises(ValueError, match="finetuned.safetensors: states of layers"):
        load_reference_states(path, [0, 15, 30])
