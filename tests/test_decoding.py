"""Greedy decoding: the same tokens as transformers' generate, rows ending at any step."""

import torch
from conftest import random_llama
from transformers import AutoTokenizer

from unlearnflow.data.encoding import prompt_ids
from unlearnflow.decoding import greedy_after
from unlearnflow.prompt_pass import PromptPass, run_prompts

QUESTIONS = [
    "Where was Ada Berg born?",
    "What does the long-named Maximilian von Hohenzollern do for a living, and since when?",
    "Who?",
    "Which prize did Ada Berg win in 1999?",
]


def reference_decode(model, prompts, max_new_tokens, stop_id, pad_id):
    """transformers' greedy generate on each prompt alone, cut at the stop token."""
    outputs = []
    for prompt in prompts:
        generated = model.generate(
            torch.tensor([prompt]),
            attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
            max_new_tokens=max_new_tokens,
            do_sample=False,
            eos_token_id=stop_id,
            pad_token_id=pad_id,
        )[0, len(prompt) :].tolist()
        outputs.append(generated[: generated.index(stop_id)] if stop_id in generated else generated)
    return outputs


def greedy_decode(model, prompts, max_new_tokens, stop_ids, pad_id):
    with torch.inference_mode():
        prompt_pass = run_prompts(model.get_decoder(), prompts, pad_id)
    return greedy_after(model, prompt_pass, max_new_tokens, stop_ids)


def test_greedy_decode_equals_generate_with_rows_stopping_early(tiny_model):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    # larger random weights than the tests' usual model, whose greedy text is one token
    # repeated: here every row says something different
    model = random_llama(len(tokenizer), hidden_size=64, initializer_range=0.3).eval()
    prompts = [prompt_ids(tokenizer, q, "") for q in QUESTIONS]
    pad = tokenizer.pad_token_id
    free = greedy_decode(model, prompts, 12, set(), pad)
    assert all(len(output) == 12 for output in free)
    # a stop token that one row emits mid-way: that row ends early, the others go on
    stop = free[1][5]
    ours = greedy_decode(model, prompts, 12, {stop}, pad)
    assert ours == reference_decode(model, prompts, 12, stop, pad)
    assert len(ours[1]) <= 5 and any(len(output) == 12 for output in ours)


def test_joined_prompt_passes_decode_as_they_do_apart(tiny_model):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    model = random_llama(len(tokenizer), hidden_size=64, initializer_range=0.3).eval()
    pad = tokenizer.pad_token_id
    groups = [QUESTIONS[:2], QUESTIONS[2:]]  # of different widths and shared headers
    apart, passes = [], []
    for group in groups:
        prompts = [prompt_ids(tokenizer, q, "") for q in group]
        apart.append(greedy_decode(model, prompts, 12, set(), pad))
        with torch.inference_mode():
            passes.append(run_prompts(model.get_decoder(), prompts, pad))
    # the second row of the first pass, both rows of the second in reverse
    joined = PromptPass.join([(passes[0], torch.tensor([1])), (passes[1], torch.tensor([1, 0]))])
    assert joined.mask.shape[1] == max(p.mask.shape[1] for p in passes)
    expected = [apart[0][1], apart[1][1], apart[1][0]]
    assert greedy_after(model, joined, 12, set()) == expected
