"""Answer scoring: the shared-prompt path equals scoring each full sequence."""

import torch
from transformers import AutoTokenizer, LlamaForCausalLM

from unlearnflow.data.encoding import answer_ids, encode_qa, prompt_ids
from unlearnflow.scoring import answer_logits, answer_set_logits
from unlearnflow.train import collate

GROUPS = [
    (
        "Where was Ada Berg born?",
        ["Ada was born in Lund.", "In Oslo.", "Ada Berg was born in Bergen, Norway, in 1960."],
    ),
    (
        "What does the long-named Maximilian von Hohenzollern do for a living?",
        ["He is a baker.", "A judge."],
    ),
    ("Who?", ["Nobody at all, as far as anyone knows."]),
]


def test_shared_prompt_scoring_equals_full_sequences(tiny_model):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    model = LlamaForCausalLM.from_pretrained(tiny_model).eval()
    with torch.no_grad():
        shared = answer_set_logits(
            model,
            [prompt_ids(tokenizer, q, "") for q, _ in GROUPS],
            [[answer_ids(tokenizer, a) for a in answers] for _, answers in GROUPS],
            tokenizer.pad_token_id,
        )
        examples = [encode_qa(tokenizer, q, a, "") for q, answers in GROUPS for a in answers]
        full = answer_logits(model, collate(examples, tokenizer.pad_token_id))
    assert torch.equal(shared[1], full[1]) and torch.equal(shared[2], full[2])
    assert torch.allclose(
        torch.log_softmax(shared[0], -1), torch.log_softmax(full[0], -1), atol=1e-4
    )
