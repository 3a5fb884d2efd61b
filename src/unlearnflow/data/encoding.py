"""QA pairs as token ids: the model's chat format, loss on the answer only."""

from __future__ import annotations

from ..scoring import IGNORE


def prompt_ids(tokenizer, question: str, system_prompt: str | None) -> list[int]:
    """The chat-formatted question up to the assistant's turn.

    `system_prompt` None keeps the chat template's own default system message.
    """
    messages = [{"role": "user", "content": question}]
    if system_prompt is not None:
        messages.insert(0, {"role": "system", "content": system_prompt})
    prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    return tokenizer(prompt, add_special_tokens=False)["input_ids"]


def answer_ids(tokenizer, answer: str) -> list[int]:
    """The answer's tokens and the end of the turn."""
    return [*tokenizer(answer, add_special_tokens=False)["input_ids"], tokenizer.eos_token_id]


def encode_qa(tokenizer, question: str, answer: str, system_prompt: str | None) -> dict:
    """`input_ids` of the whole exchange; `labels` mask all but the answer."""
    prompt, reply = prompt_ids(tokenizer, question, system_prompt), answer_ids(tokenizer, answer)
    return {"input_ids": prompt + reply, "labels": [IGNORE] * len(prompt) + reply}
