"""Evaluation speed: our batched scoring and generation against a per-item loop.

Same model, same items (the forget set and part of the retain set, every answer
variant: answer, paraphrase, wrong answers), same generation cap. The baseline scores
each (question, answer) pair alone with a full forward pass and generates each answer
alone with transformers' `generate`; ours runs each question's prompt once for all its
answer variants and its greedy answer (shared KV cache), in length-sorted batches
with answer-only logits, and decodes in batches from which finished answers drop out.

On the workflow's fine-tuned model (run after `make run`):

    .venv/bin/python bench/bench_evaluation.py [--retain-items 40] [--repeats 2] \\
        [--precision bfloat16]

On a GPU, no weights needed: a randomly initialised model of a real architecture
(its greedy answers run to the token cap, in both loops alike) and a run's data/
(sf.jsonl, sr.jsonl, wrong_details.jsonl):

    python bench/bench_evaluation.py --random-init qwen2.5-1.5b --tokenizer TOKENIZER_DIR \\
        --precision bfloat16 --data DATA_DIR
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch
from shapes import SHAPES, random_model
from transformers import AutoTokenizer

from unlearnflow.answering import Question, answer_questions
from unlearnflow.data.encoding import encode_qa, prompt_ids
from unlearnflow.data.records import WrongDetails
from unlearnflow.items import qa_items
from unlearnflow.jsonl import read_jsonl
from unlearnflow.models import PRECISIONS, load_stack


def per_item_scores(model, tokenizer, pairs, system_prompt) -> list[float]:
    """The baseline: one full forward pass per pair, loss over the answer tokens."""
    losses = []
    with torch.inference_mode():
        for question, answer in pairs:
            example = encode_qa(tokenizer, question, answer, system_prompt)
            input_ids = torch.tensor([example["input_ids"]], device=model.device)
            labels = torch.tensor([example["labels"]], device=model.device)
            losses.append(model(input_ids=input_ids, labels=labels).loss.item())
    return losses


def per_item_generations(model, tokenizer, questions, system_prompt, max_new_tokens):
    """The baseline: transformers' greedy `generate`, one question at a time."""
    with torch.inference_mode():
        for question in questions:
            prompt = torch.tensor(
                [prompt_ids(tokenizer, question, system_prompt)], device=model.device
            )
            model.generate(
                prompt,
                attention_mask=torch.ones_like(prompt),
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=tokenizer.pad_token_id,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=Path, default=Path("results"))
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--retain-items", type=int, default=40)
    parser.add_argument("--max-new-tokens", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--precision", choices=PRECISIONS, default="float32")
    parser.add_argument("--random-init", choices=sorted(SHAPES), help="architecture to build")
    parser.add_argument("--tokenizer", type=Path, help="default: the base model's")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    base = args.results / "models" / "base"
    tokenizer = AutoTokenizer.from_pretrained(args.tokenizer or base)
    if args.random_init:
        model = random_model(args.random_init, getattr(torch, args.precision), args.device)
    else:
        finetuned = args.results / "models" / "finetuned"
        model = load_stack(base, [finetuned], args.precision).to(args.device)
    model.eval()
    details = {
        row.qa_id: row for row in read_jsonl(args.data / "wrong_details.jsonl", WrongDetails)
    }
    items = qa_items(args.data / "sf.jsonl", details)
    items += qa_items(args.data / "sr.jsonl", details)[: args.retain_items]
    pairs = [
        (i.question, a) for i in items for a in (i.answer, i.paraphrased_answer, *i.wrong_answers)
    ]
    questions = [i.question for i in items]
    system_prompt = ""

    def baseline():
        per_item_scores(model, tokenizer, pairs, system_prompt)
        per_item_generations(model, tokenizer, questions, system_prompt, args.max_new_tokens)

    def ours():
        asked = [
            Question(i.question, (i.answer, i.paraphrased_answer, *i.wrong_answers), generate=True)
            for i in items
        ]
        answer_questions(
            model, tokenizer, asked, system_prompt, args.batch_size, args.max_new_tokens
        )

    times = {"per-item loop": [], "unlearnflow batched": []}
    for _ in range(args.repeats):
        for name, run in (("per-item loop", baseline), ("unlearnflow batched", ours)):
            start = time.perf_counter()
            run()
            if args.device.startswith("cuda"):
                torch.cuda.synchronize()
            times[name].append(time.perf_counter() - start)
    device = torch.cuda.get_device_name() if args.device.startswith("cuda") else "CPU"
    print(
        f"{device}, {args.precision}: {len(items)} items, {len(pairs)} scored pairs,"
        f" {len(questions)} generations"
        f" of at most {args.max_new_tokens} tokens"
    )
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"  {name:20s} {median:6.1f} s ({', '.join(f'{v:.1f}' for v in values)}),"
            f" {len(items) / median:.1f} questions/s"
        )
    speedup = statistics.median(times["per-item loop"]) / statistics.median(
        times["unlearnflow batched"]
    )
    print(f"  speed-up {speedup:.2f}x")


if __name__ == "__main__":
    main()
