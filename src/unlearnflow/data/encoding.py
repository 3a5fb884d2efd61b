"""Training and evaluation rows as token ids: QA pairs in the model's chat format (loss on
the answer only), and raw text as open-unlearning reads it (src/data/utils.py,
`preprocess_pretraining_instance`; src/data/pretraining.py, `PretrainingDataset`): the
tokenizer's own special tokens, loss on every token after the prompt, or after the first
where there is none."""

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


def text_ids(tokenizer, text: str) -> list[int]:
    """A plain text's tokens, the tokenizer's own special tokens included."""
    return tokenizer(text, add_special_tokens=True)["input_ids"]


def completion_ids(tokenizer, prompt: str, text: str, max_tokens: int) -> tuple[list, list]:
    """(prompt tokens, the tokens of `text` that follow them): the two joined by a space
    and tokenized together (open-unlearning's `insert_space`), cut `max_tokens` after
    the prompt's own tokens; with an empty prompt, the text's first token is the prompt."""
    joined = f"{prompt} {text}" if prompt else text
    prompt_length = len(text_ids(tokenizer, prompt))
    whole = text_ids(tokenizer, joined)[: prompt_length + max_tokens]
    start = max(prompt_length, 1)
    return whole[:start], whole[start:]


def encode_text(tokenizer, text: str, max_tokens: int) -> dict:
    """`input_ids` of a raw text (at most `max_tokens` after the tokenizer's leading
    special tokens); loss on every token but the first."""
    prompt, rest = completion_ids(tokenizer, "", text, max_tokens)
    return {"input_ids": prompt + rest, "labels": [IGNORE] * len(prompt) + rest}


def text_chunks(tokenizer, texts: list[str], chunk_tokens: int) -> list[str]:
    """A corpus as training chunks: its texts joined by blank lines and cut every
    `chunk_tokens` tokens, each piece decoded back to text (open-unlearning's
    `PretrainingDataset._chunk_raw_text`, less the empty last chunk it makes when the
    length is a multiple of `chunk_tokens`)."""
    ids = tokenizer("\n\n".join(texts), add_special_tokens=False)["input_ids"]
    return [
        tokenizer.decode(ids[start : start + chunk_tokens])
        for start in range(0, len(ids), chunk_tokens)
    ]
