"""Questions through a model in batches: answer variants scored, greedy answers generated.

Each question's prompt runs once (its chat header once per batch) and serves both its
answer variants (answer, paraphrase, wrong answers; one that repeats runs once) and
its greedy answer. Questions are batched by prompt length, answers by answer length,
so that little is padded. Greedy answers wait for those of the next batches and are
decoded together: a decoding step reads every weight for one token per row, and costs
nearly as much for a few rows as for many (docs/design.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .data.encoding import answer_ids, prompt_ids
from .decoding import greedy_after, stop_token_ids
from .prompt_pass import PromptPass, answers_after, run_prompts
from .scoring import decoder_and_head

DECODING_BATCHES = 4  # greedy answers decoded at once: up to this many batches' worth


@dataclass(frozen=True)
class Question:
    """A question in the model's chat format, or, where `tokens` holds it already
    tokenized (raw text: data/encoding.completion_ids), a plain-text prompt."""

    text: str
    answers: tuple[str, ...] = ()  # scored; the first is the reference answer
    generate: bool = False  # also produce the greedy answer
    moments: bool = False  # Min-K%++ moments of the reference answer
    tokens: tuple[tuple[int, ...], tuple[tuple[int, ...], ...]] | None = None  # prompt, answers


@dataclass
class TokenScores:
    """Log-probabilities of an answer's tokens; whether each is the model's most likely
    next token (for memorization); and the mean and spread of log p under the model's
    next-token distribution at each position (for Min-K%++; None where not computed)."""

    logprobs: np.ndarray
    hits: np.ndarray
    mu: np.ndarray | None
    sigma: np.ndarray | None

    @property
    def loss(self) -> float:
        return float(-self.logprobs.mean())


@dataclass
class Answered:
    scores: list[TokenScores]  # one per answer of the question
    generation: str | None


def _token_scores(logits: torch.Tensor, targets: torch.Tensor, moments: bool) -> TokenScores:
    logp = logits.gather(-1, targets[:, None])[:, 0] - logits.logsumexp(-1)
    hits = (logits.argmax(-1) == targets).numpy()
    if not moments:
        return TokenScores(logp.numpy(), hits, None, None)
    all_logp = torch.log_softmax(logits, dim=-1)
    p = all_logp.exp()
    mu = (p * all_logp).sum(-1)
    sigma = ((p * all_logp.square()).sum(-1) - mu.square()).clamp(min=0).sqrt()
    return TokenScores(logp.numpy(), hits, mu.numpy(), sigma.numpy())


def _answer_tokens(tokenizer, question: Question, answers: list[str]) -> list[list[int]]:
    if not question.tokens:
        return [answer_ids(tokenizer, answer) for answer in answers]
    given = dict(zip(question.answers, question.tokens[1], strict=True))
    return [list(given[answer]) for answer in answers]


def answer_questions(
    model,
    tokenizer,
    questions: list[Question],
    system_prompt: str | None,
    batch_size: int,
    max_new_tokens: int,
) -> list[Answered]:
    """Scores and greedy answers of every question; `batch_size` bounds the rows of
    every prompt and answer pass, `DECODING_BATCHES × batch_size` the sequences that
    decode together."""
    decoder, _ = decoder_and_head(model)
    stops = stop_token_ids(model, tokenizer)
    prompts = [
        list(q.tokens[0]) if q.tokens else prompt_ids(tokenizer, q.text, system_prompt)
        for q in questions
    ]
    distinct = [list(dict.fromkeys(q.answers)) for q in questions]
    tokens = [
        _answer_tokens(tokenizer, q, group) for q, group in zip(questions, distinct, strict=True)
    ]
    scores: list[dict[str, TokenScores]] = [{} for _ in questions]
    generations: list[str | None] = [None] * len(questions)
    order = sorted(range(len(questions)), key=lambda q: len(prompts[q]))
    # questions to answer, their batch's prompt pass and their rows in it
    waiting: list[tuple[list[int], PromptPass, torch.Tensor]] = []

    def decode_waiting() -> None:
        asking = [q for owners, _, _ in waiting for q in owners]
        joined = PromptPass.join([(prompt_pass, rows) for _, prompt_pass, rows in waiting])
        outputs = greedy_after(model, joined, max_new_tokens, stops)
        texts = tokenizer.batch_decode(outputs, skip_special_tokens=True)
        for q, text in zip(asking, texts, strict=True):
            generations[q] = text.strip()
        waiting.clear()

    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        with torch.inference_mode():
            prompt_pass = run_prompts(decoder, [prompts[q] for q in chunk], tokenizer.pad_token_id)
            rows = sorted(
                ((row, q, v) for row, q in enumerate(chunk) for v in range(len(tokens[q]))),
                key=lambda r: len(tokens[r[1]][r[2]]),
            )
            for first in range(0, len(rows), batch_size):
                part = rows[first : first + batch_size]
                logits, targets, index = answers_after(
                    model,
                    prompt_pass,
                    [row for row, _, _ in part],
                    [tokens[q][v] for _, q, v in part],
                    tokenizer.pad_token_id,
                )
                for n, (_, q, v) in enumerate(part):
                    mask = index == n
                    moments = v == 0 and questions[q].moments
                    scores[q][distinct[q][v]] = _token_scores(logits[mask], targets[mask], moments)
        asked = [row for row, q in enumerate(chunk) if questions[q].generate]
        if asked:
            rows = torch.tensor(asked, device=decoder.device)
            waiting.append(([chunk[row] for row in asked], prompt_pass, rows))
        # decode before the next batch could take the waiting rows past the bound
        if sum(len(owners) for owners, _, _ in waiting) > (DECODING_BATCHES - 1) * batch_size:
            decode_waiting()
    if waiting:
        decode_waiting()
    return [
        Answered([scores[q][a] for a in question.answers], generations[q])
        for q, question in enumerate(questions)
    ]
