"""LoRA training throughput: our loop against a plain transformers Trainer + peft baseline.

Same model, same examples (the benchmark's forget and retain QA in the chat format),
same LoRA (r=8 on q, k, v, o), batch size and steps; runs alternate A, B, A, B in one
process, and tokens/s counts non-padding tokens. Also prints the CPU's fp32 matmul
rate and the loop's fraction of it: the FLOPs our loop executes (counted by
torch.utils.flop_counter over one extra, untimed epoch) per second of the timed runs.
Per token this is less than the ~4 FLOPs per parameter of a plain LoRA step, since
the shared chat header runs once per batch and the unembedding only at answer tokens.

    .venv/bin/python bench/bench_training.py [--model results/models/base] [--repeats 2]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from torch.utils.flop_counter import FlopCounterMode
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    DataCollatorForSeq2Seq,
    Trainer,
    TrainingArguments,
)

from unlearnflow.data.encoding import encode_qa
from unlearnflow.data.records import QA
from unlearnflow.jsonl import read_jsonl
from unlearnflow.scoring import mean_answer_nll
from unlearnflow.train import TrainSettings, train

LORA = {"r": 8, "lora_alpha": 16, "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"]}


def examples(tokenizer, data: Path) -> list[dict]:
    rows = read_jsonl(data / "sf.jsonl", QA) + read_jsonl(data / "sr.jsonl", QA)
    return [encode_qa(tokenizer, row.question, row.answer, None) for row in rows]


def fresh_model(path: Path):
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    return get_peft_model(model, LoraConfig(**LORA))


def run_baseline(path, tokenizer, data, batch_size) -> tuple[float, int]:
    model = fresh_model(path)
    args = TrainingArguments(
        output_dir="/tmp/unlearnflow-bench-trainer",
        per_device_train_batch_size=batch_size,
        num_train_epochs=1,
        learning_rate=1e-4,
        report_to=[],
        save_strategy="no",
        logging_strategy="no",
        use_cpu=True,
        dataloader_num_workers=0,
    )
    collator = DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100)
    trainer = Trainer(model=model, args=args, train_dataset=data, data_collator=collator)
    start = time.perf_counter()
    trainer.train()
    return time.perf_counter() - start, sum(len(e["input_ids"]) for e in data)


def run_ours(path, tokenizer, data, batch_size) -> tuple[float, int]:
    result = train_ours(path, tokenizer, data, batch_size)
    return result.seconds, result.tokens


def flops_per_epoch_ours(path, tokenizer, data, batch_size) -> int:
    with FlopCounterMode(display=False) as counter:
        train_ours(path, tokenizer, data, batch_size)
    return counter.get_total_flops()


def train_ours(path, tokenizer, data, batch_size):
    model = fresh_model(path)
    return train(
        model,
        lambda m, batch, other: mean_answer_nll(m, batch),
        data,
        None,
        TrainSettings(learning_rate=1e-4, epochs=1, batch_size=batch_size),
        pad_id=tokenizer.pad_token_id,
    )


def matmul_gflops(size: int = 1024, repeats: int = 20) -> float:
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * size**3 * repeats / (time.perf_counter() - start) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=Path("results/models/base"))
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    data = examples(tokenizer, args.data)
    rates = {"trainer + peft": [], "unlearnflow loop": []}
    our_seconds = []
    for _ in range(args.repeats):
        for name, run in (("trainer + peft", run_baseline), ("unlearnflow loop", run_ours)):
            seconds, tokens = run(args.model, tokenizer, data, args.batch_size)
            rates[name].append(tokens / seconds)
            if name == "unlearnflow loop":
                our_seconds.append(seconds)
    parameters = sum(p.numel() for p in fresh_model(args.model).parameters())
    peak = matmul_gflops()
    executed = flops_per_epoch_ours(args.model, tokenizer, data, args.batch_size)
    print(
        f"{len(data)} examples, batch {args.batch_size}, {parameters / 1e6:.0f} M parameters;"
        f" fp32 matmul peak {peak:.0f} GFLOP/s"
    )
    for name, values in rates.items():
        rate = statistics.median(values)
        print(f"  {name:17s} {rate:6.1f} tokens/s ({', '.join(f'{v:.1f}' for v in values)})")
    achieved = executed / statistics.median(our_seconds) / 1e9
    print(
        f"  our loop executes {executed / 1e12:.2f} TFLOP per epoch: {achieved:.0f} GFLOP/s,"
        f" {achieved / peak:.0%} of the matmul peak"
    )
    ratio = statistics.median(rates["unlearnflow loop"]) / statistics.median(
        rates["trainer + peft"]
    )
    print(f"  speed-up {ratio:.2f}x")


if __name__ == "__main__":
    main()
