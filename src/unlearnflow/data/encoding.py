"""QA pairs as training examples: the model's chat format, loss on the answer only."""

from __future__ import annotations

from ..scoring import IGNORE


def encode_qa(tokenizer, question: str, answer: str, system_prompt: str | None) -> dict:
    """`input_ids` of the chat-formatted exchange; `labels` mask all but the answer.

    `system_prompt` None keeps the chat template's own default system message.
    """
    messages = [{"role": "user", "content": question}]
    if system_prompt is not None:
        messages.insert(0, {"role": "system", "content": system_prompt})
    prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    answer_ids = tokenizer(answer, add_special_tokens=False)["input_ids"]
    answer_ids.append(tokenizer.eos_token_id)
    return {
        "input_ids": prompt_ids + answer_ids,
        "labels": [IGNORE] * len(prompt_ids) + answer_ids,
    }
