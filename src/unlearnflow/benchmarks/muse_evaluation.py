"""MUSE's evaluation of one model (Shi et al. 2024, "MUSE: Machine Unlearning Six-Way
Evaluation for Language Models"), as open-unlearning runs it (configs/eval/muse.yaml,
configs/eval/muse_metrics/*.yaml, configs/model/Llama-2-7b-hf.yaml's template):

- verbatim memorization (C1): each `verbmem` prompt continued greedily for 128 new
  tokens, ROUGE-L F1 against the true continuation; and, under teacher forcing, the
  extraction strength and exact memorization of the true continuation.
- knowledge memorization (C2) on the forget and the retain QA: the question after the
  split's in-context examples in MUSE's plain-text template ("Question: ...\\nAnswer:
  ...\\n\\n"), answered greedily for 32 new tokens and cut at the first stop string;
  ROUGE-L F1 against the answer.
- privacy leakage (C3): the membership attacks on the privleak forget texts (members)
  and holdout texts, each text scored whole (every token after the first); privleak
  compares the Min-K% AUC with the gold model's (aggregate.py).

Prompts are plain text, never the chat template: the tokenizer's own special tokens and
the text (data/encoding.completion_ids).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from ..answering import Question, answer_questions
from ..data.encoding import completion_ids, text_ids
from ..data.records import QA, Continuation, Passage
from ..evaluate import load_evaluated_model, membership
from ..items import Item
from ..jsonl import read_jsonl, write_json
from ..metrics.memorization import exact_memorization, extraction_strength
from ..metrics.rouge import rouge_l_f1

log = logging.getLogger(__name__)

VERBMEM_TOKENS = 128
KNOWMEM_TOKENS = 32
KNOWMEM_STOPS = ("\n\n", "\nQuestion", "Question:")


def qa_prompt(question: str, examples: list[QA]) -> str:
    """MUSE's knowledge question after its in-context examples (open-unlearning's
    `preprocess_chat_instance` without a chat template, Llama-2's tags)."""
    shots = "".join(f"Question: {qa.question}\nAnswer: {qa.answer}\n\n" for qa in examples)
    return f"{shots}Question: {question}\nAnswer: "


def cut_at_stops(text: str, stops: tuple[str, ...] = KNOWMEM_STOPS) -> str:
    for stop in stops:
        text = text.split(stop)[0]
    return text.strip()


def plain_question(tokenizer, prompt: str, reference: str, max_tokens: int, **kind) -> Question:
    """`prompt` as plain text, `reference` its scored continuation."""
    prompt_tokens, reference_tokens = completion_ids(tokenizer, prompt, reference, max_tokens)
    return Question(
        prompt,
        (reference,),
        tokens=(tuple(prompt_tokens), (tuple(reference_tokens),)),
        **kind,
    )


def generation_split(ids: list[str], generations: list[str], references: list[str], hits=None):
    """A split of generated texts: ROUGE-L F1 per item, and the memorization of the
    reference under teacher forcing where `hits` is given."""
    items = []
    for n, (item_id, generation, reference) in enumerate(
        zip(ids, generations, references, strict=True)
    ):
        item = {"id": item_id, "rouge_l_f1": rouge_l_f1(generation, reference)}
        if hits is not None:
            item["exact_memorization"] = exact_memorization(hits[n])
            item["extraction_strength"] = extraction_strength(hits[n])
        items.append({**item, "generation": generation})
    metrics = {
        key: sum(item[key] for item in items) / len(items)
        for key in items[0]
        if key not in ("id", "generation")
    }
    return {"metrics": metrics, "items": items}


def text_items(passages: list[Passage]) -> list[Item]:
    return [Item(p.passage_id, "", p.text, p.text, []) for p in passages]


def evaluate_muse(
    base: Path,
    stages: list[Path],
    data: dict[str, Path],
    settings: dict,
    output: Path,
    quantization: dict | None = None,
    precision: str = "float32",
) -> None:
    """MUSE's metrics of one model (see `evaluate.load_evaluated_model`) on the `data`
    files (benchmarks.MUSE_FILES), written to `output`; `settings` are the evaluation's
    (`batch_size`, `mia_k`) with the benchmark's `text_tokens`."""
    start = time.perf_counter()
    model, tokenizer = load_evaluated_model(base, stages, precision, quantization)
    length, batch = settings["text_tokens"], settings["batch_size"]
    verbatim = read_jsonl(data["verbmem"], Continuation)
    members, nonmembers = (
        text_items(read_jsonl(data[role], Passage))
        for role in ("privleak_forget", "privleak_holdout")
    )
    scored = [
        plain_question(tokenizer, row.prompt, row.continuation, length, generate=True)
        for row in verbatim
    ] + [
        plain_question(tokenizer, "", item.answer, length, moments=True)
        for item in members + nonmembers
    ]
    answered = answer_questions(model, tokenizer, scored, None, batch, VERBMEM_TOKENS)
    for item, result in zip(members + nonmembers, answered[len(verbatim) :], strict=True):
        item.scores["answer"] = result.scores[0]
    splits = {
        "forget_verbmem": generation_split(
            [row.continuation_id for row in verbatim],
            [result.generation for result in answered[: len(verbatim)]],
            [row.continuation for row in verbatim],
            [result.scores[0].hits for result in answered[: len(verbatim)]],
        )
    }
    for split in ("forget", "retain"):
        qa = read_jsonl(data[f"knowmem_{split}"], QA)
        examples = read_jsonl(data[f"knowmem_{split}_icl"], QA)
        prompts = [qa_prompt(row.question, examples) for row in qa]
        asked = [
            Question(prompt, generate=True, tokens=(tuple(text_ids(tokenizer, prompt)), ()))
            for prompt in prompts
        ]
        replies = answer_questions(model, tokenizer, asked, None, batch, KNOWMEM_TOKENS)
        splits[f"{split}_knowmem"] = generation_split(
            [row.qa_id for row in qa],
            [cut_at_stops(reply.generation) for reply in replies],
            [row.answer for row in qa],
        )
    result = {
        "benchmark": "muse",
        "quantization": quantization,
        "splits": splits,
        "mia": membership(members, nonmembers, settings["mia_k"]),
        "probes": [],
        "leakage_rate": None,
        "seconds": time.perf_counter() - start,
    }
    write_json(output, result)
    log.info(
        "evaluated in %.1f s: verbmem ROUGE-L F1 %.3f, knowmem ROUGE-L F1 forget %.3f retain %.3f",
        result["seconds"],
        splits["forget_verbmem"]["metrics"]["rouge_l_f1"],
        splits["forget_knowmem"]["metrics"]["rouge_l_f1"],
        splits["retain_knowmem"]["metrics"]["rouge_l_f1"],
    )
