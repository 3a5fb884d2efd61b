"""Linear probes: the answer states they read, held-out folds, and per-item accuracy."""

import numpy as np
import pytest
import torch

from unlearnflow.data.encoding import answer_ids, prompt_ids
from unlearnflow.probes import (
    AnswerStates,
    ProbeError,
    item_accuracy,
    item_folds,
    probe_accuracies,
)
from unlearnflow.represent import answer_states

PAIRS = [
    ("Where was Mara Quill born?", "She was born in Turin."),
    ("Where was Mara Quill born?", "She was born in a small village near the coast."),
    ("What did Ivo Sand do in 1987?", "He opened a bakery."),
]


def test_answer_states_average_the_answer_tokens(tiny_model):
    """Batched and padded, each pair's states equal the mean over its answer tokens of
    one unpadded forward pass."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model).eval()
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    states = answer_states(model, tokenizer, PAIRS, "", [0, 2], batch_size=3)
    assert states.shape == (2, 3, model.config.hidden_size)
    for n, (question, answer) in enumerate(PAIRS):
        prompt, tokens = prompt_ids(tokenizer, question, ""), answer_ids(tokenizer, answer)
        with torch.no_grad():
            hidden = model(torch.tensor([prompt + tokens]), output_hidden_states=True).hidden_states
        for slot, layer in enumerate([0, 2]):
            expected = hidden[layer][0, len(prompt) :].mean(0)
            torch.testing.assert_close(states[slot, n], expected, atol=1e-5, rtol=1e-4)


def test_folds_are_seeded_and_cover_every_item():
    folds = item_folds(10, 3, seed=1)
    assert sorted(np.bincount(folds)) == [3, 3, 4]
    assert np.array_equal(folds, item_folds(10, 3, seed=1))
    with pytest.raises(ProbeError, match="config key probes.folds: 11 folds of 10"):
        item_folds(10, 11, seed=1)


def test_item_accuracy_is_the_share_of_wrong_answers_ranked_below():
    scores = np.array([2.0, 1.0, 3.0, 0.5, 0.5, 0.5, 1.0])
    items = np.array([0, 0, 0, 1, 1, 1, 1])
    labels = np.array([1, 0, 0, 1, 0, 0, 0])
    # item 0: one of two wrong answers below; item 1: two ties (a half each), one above
    assert item_accuracy(scores, items, labels) == pytest.approx([1 / 2, 1 / 3])


def states_with_signal(signal: float, items: int, wrong: int, seed: int) -> AnswerStates:
    """Noise states, forget answers shifted by `signal` along the first axis."""
    rng = np.random.default_rng(seed)
    rows = items * (wrong + 1)
    states = rng.normal(size=(1, rows, 32))
    states[0, :: wrong + 1, 0] += signal
    return AnswerStates([3], [f"q{n}" for n in range(items)], [wrong] * items, states)


def test_probes_carry_what_the_reference_holds_and_are_held_out():
    """A probe of the fine-tuned states finds the shift in a model that keeps it, not in
    one without it; on noise its own accuracy is chance, not the training fit's 1."""
    reference = states_with_signal(4.0, items=40, wrong=3, seed=0)
    kept = states_with_signal(4.0, items=40, wrong=3, seed=1)
    gone = states_with_signal(0.0, items=40, wrong=3, seed=2)
    accuracy = probe_accuracies(
        reference, {"finetuned": reference, "kept": kept, "gone": gone}, 5, 1.0, 0
    )
    assert accuracy["finetuned"].mean() > 0.9 and accuracy["kept"].mean() > 0.9
    assert abs(accuracy["gone"].mean() - 0.5) < 0.15

    noise = states_with_signal(0.0, items=40, wrong=3, seed=3)
    held_out = probe_accuracies(noise, {"finetuned": noise}, 5, 1e4, 0)["finetuned"]
    assert abs(held_out.mean() - 0.5) < 0.15


def test_states_of_other_items_are_refused(tmp_path):
    reference = states_with_signal(1.0, items=4, wrong=2, seed=0)
    path = tmp_path / "states.safetensors"
    reference.save(path)
    loaded = AnswerStates.load(path)
    assert loaded.item_ids == reference.item_ids and np.allclose(loaded.states, reference.states)
    other = AnswerStates([3], ["q0", "q1", "q2", "x"], [2] * 4, reference.states)
    with pytest.raises(ProbeError, match="other: answer states of other layers or items"):
        probe_accuracies(reference, {"other": other}, 2, 1.0, 0)
