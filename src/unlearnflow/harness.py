"""General utility through lm-evaluation-harness (Gao et al., "A framework for few-shot
language model evaluation", EleutherAI `lm_eval`): the harness's own tasks (MMLU,
ARC, HellaSwag...) or tasks of the user's own (`evaluation.lm_eval.include_path`, a
folder of task YAMLs), run through its Python API on one model of the sweep.

The model is the one `evaluate` scores (base model with its stages merged, the run's
precision), handed to the harness's `HFLM` as an object; prompts are the harness's
own, without a chat template (as published MMLU numbers are). Each task's metrics are
kept with their per-document values (`log_samples`), from which the sweep table draws
an interval over documents like every other metric's.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from .jsonl import write_json

log = logging.getLogger(__name__)


def task_metrics(results: dict, samples: dict) -> dict[str, dict[str, dict]]:
    """{task: {metric: {"value": the harness's, "per_document": [...]}}} for every task
    the harness scored document by document (the leaves of a group such as mmlu)."""
    tasks = {}
    for task, documents in samples.items():
        metrics = {}
        for key, value in results[task].items():
            metric, _, filter_name = key.partition(",")
            if filter_name != "none" or metric.endswith("_stderr") or metric == "alias":
                continue
            per_document = [float(document[metric]) for document in documents if metric in document]
            metrics[metric] = {"value": float(value), "per_document": per_document}
        tasks[task] = metrics
    return tasks


def run_harness(model, tokenizer, settings: dict, batch_size: int, seed: int) -> dict:
    """The harness's tasks of `settings` (`tasks`, `include_path`, `limit`, `num_fewshot`)
    on `model`."""
    import lm_eval
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    include_path = settings.get("include_path")
    manager = TaskManager(include_path=str(include_path) if include_path else None)
    output = lm_eval.simple_evaluate(
        model=HFLM(pretrained=model, tokenizer=tokenizer, batch_size=batch_size),
        tasks=list(settings["tasks"]),
        num_fewshot=settings.get("num_fewshot"),
        limit=settings.get("limit"),
        task_manager=manager,
        log_samples=True,
        random_seed=seed,
        numpy_random_seed=seed,
        torch_random_seed=seed,
        fewshot_random_seed=seed,
    )
    return task_metrics(output["results"], output["samples"])


def harness_evaluation(
    base: Path,
    stages: list[Path],
    settings: dict,
    batch_size: int,
    seed: int,
    output: Path,
    precision: str = "float32",
) -> None:
    """One model's harness results -> `output` (results/lm_eval/MODEL.json)."""
    from .evaluate import load_evaluated_model

    start = time.perf_counter()
    model, tokenizer = load_evaluated_model(base, stages, precision, None)
    tasks = run_harness(model, tokenizer, settings, batch_size, seed)
    write_json(output, {"tasks": tasks, "seconds": time.perf_counter() - start})
    for task, metrics in tasks.items():
        log.info("%s: %s", task, ", ".join(f"{m} {v['value']:.3f}" for m, v in metrics.items()))
