"""LoRA training throughput: our loop against a plain transformers Trainer + peft baseline.

Same model, same examples (the benchmark's forget and retain QA in the chat format),
same LoRA (r=8 on q, k, v, o), batch size and steps; runs alternate A, B, A, B in one
process, and tokens/s counts non-padding tokens. Also prints the FLOPs each loop
executes (counted by torch.utils.flop_counter over one extra, untimed epoch) per
second of its timed runs, as a fraction of the device's matmul peak: on a CPU the
rate of a matrix product in the run's dtype measured here (the fp32 rate printed
beside it); on a GPU the bf16 dense peak of its data sheet (MFU), and the rate of a
large bf16 matrix product measured here. Per token our loop executes fewer FLOPs
than the Trainer: it pads less (batches grouped by length) and applies the
unembedding only at answer tokens.

On a CPU, with the workflow's base model, data and precision (run after `make run`):

    .venv/bin/python bench/bench_training.py [--repeats 2] [--system-prompt ""]

On a GPU, no weights needed: a randomly initialised model of a real architecture,
fed the same examples (token ids from --tokenizer), repeated to a larger epoch:

    python bench/bench_training.py --random-init qwen2.5-1.5b --tokenizer TOKENIZER_DIR \\
        --batch-size 32 --copies 16 [--warmup] [--compile]

--warmup runs each loop once untimed first (CUDA start-up, compilation); --compile
compiles each decoder layer of both loops' models with torch.compile.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from shapes import SHAPES, random_model
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
from unlearnflow.hardware import resolve_precision
from unlearnflow.jsonl import read_jsonl
from unlearnflow.scoring import mean_answer_nll
from unlearnflow.train import TrainSettings, train

LORA = {"r": 8, "lora_alpha": 16, "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"]}

# bf16 dense tensor-core peak of the data sheets (FLOP/s), by device name.
BF16_PEAK = {"H100 80GB HBM3": 989e12, "H100 PCIe": 756e12, "H200": 989e12}


class ModelSource:
    """Fresh copies of the model under test: from a folder, or randomly initialised."""

    def __init__(self, args):
        self.path, self.shape, self.device = args.model, args.random_init, args.device
        self.dtype = getattr(torch, args.dtype)
        self.attention = "sdpa"
        self.compile = args.compile

    def fresh(self):
        if self.shape:
            model = random_model(self.shape, self.dtype, self.device, self.attention)
        else:
            model = AutoModelForCausalLM.from_pretrained(
                self.path, dtype=self.dtype, attn_implementation=self.attention
            )
        model = get_peft_model(model.to(self.device), LoraConfig(**LORA))
        if self.compile and self.attention == "sdpa":  # FLOPs are counted uncompiled
            compile_layers(model)
        return model


def compile_layers(model) -> None:
    """torch.compile each decoder layer (regional compilation: the layers share one
    compiled graph). The embeddings' output requires grad so that every layer sees
    the same kind of input and none recompiles."""
    model.enable_input_require_grads()
    for layer in model.get_base_model().get_decoder().layers:
        layer.compile(dynamic=True)


def examples(tokenizer, data: Path, system_prompt: str | None, copies: int) -> list[dict]:
    rows = read_jsonl(data / "sf.jsonl", QA) + read_jsonl(data / "sr.jsonl", QA)
    return [encode_qa(tokenizer, row.question, row.answer, system_prompt) for row in rows] * copies


def synchronize(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def run_baseline(source, tokenizer, data, batch_size) -> tuple[float, int]:
    model = source.fresh()
    args = TrainingArguments(
        output_dir="/tmp/unlearnflow-bench-trainer",
        per_device_train_batch_size=batch_size,
        num_train_epochs=1,
        learning_rate=1e-4,
        report_to=[],
        save_strategy="no",
        logging_strategy="no",
        use_cpu=source.device == "cpu",
        dataloader_num_workers=0,
    )
    collator = DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100)
    trainer = Trainer(model=model, args=args, train_dataset=data, data_collator=collator)
    synchronize(source.device)
    start = time.perf_counter()
    trainer.train()
    synchronize(source.device)
    return time.perf_counter() - start, sum(len(e["input_ids"]) for e in data)


def run_ours(source, tokenizer, data, batch_size) -> tuple[float, int]:
    model = source.fresh()
    synchronize(source.device)
    result = train(
        model,
        lambda m, batch, other: mean_answer_nll(m, batch),
        data,
        None,
        TrainSettings(learning_rate=1e-4, epochs=1, batch_size=batch_size),
        pad_id=tokenizer.pad_token_id,
    )
    synchronize(source.device)
    return result.seconds, result.tokens


def flops_per_epoch(run, source, *args) -> int:
    """FLOPs of one epoch, attention computed eagerly (the same products, as matmuls
    the counter knows: it cannot count grouped-query SDPA kernels)."""
    source.attention = "eager"
    with FlopCounterMode(display=False) as counter:
        run(source, *args)
    source.attention = "sdpa"
    return counter.get_total_flops()


def matmul_rate(device: str, dtype: torch.dtype, size: int, repeats: int = 20) -> float:
    """FLOP/s of a size³ matrix product, the mean of `repeats` after a warm-up."""
    a = torch.randn(size, size, device=device, dtype=dtype)
    b = torch.randn(size, size, device=device, dtype=dtype)
    for _ in range(3):
        a @ b
    synchronize(device)
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    synchronize(device)
    return 2 * size**3 * repeats / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=Path("results/models/base"))
    parser.add_argument("--random-init", choices=sorted(SHAPES), help="architecture to build")
    parser.add_argument("--tokenizer", type=Path, help="default: --model")
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--system-prompt", help="default: the chat template's own")
    parser.add_argument("--copies", type=int, default=1, help="repeat the examples")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--warmup", action="store_true", help="run each loop once untimed")
    parser.add_argument("--compile", action="store_true", help="compile each decoder layer")
    gpu = torch.cuda.is_available()
    parser.add_argument("--device", default="cuda" if gpu else "cpu")
    workflow_precision = "bfloat16" if gpu else resolve_precision("auto")
    parser.add_argument("--dtype", default=workflow_precision, help="default: the workflow's")
    args = parser.parse_args()
    source = ModelSource(args)
    tokenizer = AutoTokenizer.from_pretrained(args.tokenizer or args.model)
    data = examples(tokenizer, args.data, args.system_prompt, args.copies)
    loops = {"trainer + peft": run_baseline, "unlearnflow loop": run_ours}
    runs = {name: [] for name in loops}
    for run in loops.values() if args.warmup else ():  # CUDA start-up, compilation
        run(source, tokenizer, data, args.batch_size)
    for _ in range(args.repeats):
        for name, run in loops.items():
            runs[name].append(run(source, tokenizer, data, args.batch_size))
    parameters = sum(p.numel() for p in source.fresh().parameters())
    if args.device == "cpu":
        fp32 = matmul_rate("cpu", torch.float32, 1024)
        device_name, peak = "CPU", matmul_rate("cpu", source.dtype, 1024)
        peaks = f"fp32 matmul {fp32 / 1e9:.0f} GFLOP/s, {args.dtype} {peak / 1e9:.0f} (measured)"
    else:
        device_name = torch.cuda.get_device_name()
        measured = matmul_rate(args.device, torch.bfloat16, 8192)
        sheet = next((v for k, v in BF16_PEAK.items() if k in device_name), None)
        peak = sheet or measured
        peaks = f"bf16 matmul {measured / 1e12:.0f} TFLOP/s measured" + (
            f", {sheet / 1e12:.0f} on the data sheet (the MFU denominator)" if sheet else ""
        )
    print(
        f"{device_name}, {args.dtype}: {len(data)} examples, batch {args.batch_size},"
        f" {parameters / 1e6:.0f} M parameters; {peaks}"
    )
    rates = {}
    for name, results in runs.items():
        rates[name] = statistics.median(tokens / seconds for seconds, tokens in results)
        seconds = statistics.median(seconds for seconds, _ in results)
        executed = flops_per_epoch(loops[name], source, tokenizer, data, args.batch_size)
        achieved = executed / seconds
        listed = ", ".join(f"{tokens / seconds:.1f}" for seconds, tokens in results)
        print(
            f"  {name:17s} {rates[name]:8.1f} tokens/s ({listed});"
            f" {executed / 1e12:.2f} TFLOP per epoch, {achieved / 1e9:.0f} GFLOP/s,"
            f" {achieved / peak:.1%} of the peak"
        )
    print(f"  speed-up {rates['unlearnflow loop'] / rates['trainer + peft']:.2f}x")


if __name__ == "__main__":
    main()
