"""The fine-tuning recipe grid: what each recipe learned of the benchmark (forget and
retain ROUGE-L) against what it kept of the base model's general knowledge (real
authors and world facts: ROUGE-L, Prob and truth ratio, each as a share of the base
model's on the same items, with a paired bootstrap interval).

    python bench/bench_recipes.py RUN [--recipes bench/recipes.yaml]
        [--into docs/runs/recipes] [--jobs 2]

RUN is a run of the workflow holding data/, results/models/base and
results/eval/base.json (`snakemake results/eval/base.json` makes them). Each recipe
(an overlay of `training.finetune`) fine-tunes and evaluates in RUN/recipes/NAME with
Snakemake, `--jobs` recipes at a time, one core each; the table (csv, md) and run.json
(commit, CPU, precision, packages, each recipe's config and job seconds) go to --into.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import yaml

from unlearnflow.aggregate import item_values
from unlearnflow.hardware import resolve_precision
from unlearnflow.jsonl import write_json
from unlearnflow.metrics.bootstrap import Bootstrap
from unlearnflow.plan import FINETUNED, Model, evaluation_path
from unlearnflow.provenance import cpu_model, git_state, package_versions, rule_seconds
from unlearnflow.tables import shown

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
LEARNED = ("forget", "retain")
KEPT = ("real_authors", "world_facts")
METRICS = ("rouge_l", "prob", "truth_ratio")
SHARED = ("data", "results/models/base", "results/eval/base.json")
SHARED_IF_MADE = ("results/rehearsal.jsonl", "results/models/base_parts.json")
ATTENTION = {"q_proj", "k_proj", "v_proj", "o_proj"}
MLP = {"gate_proj", "up_proj", "down_proj"}


def trained_part(modules: list[str]) -> str:
    """What a LoRA on `modules` adapts, in words."""
    if set(modules) <= ATTENTION:
        return "attention"
    if set(modules) <= MLP:
        return "MLP"
    return "every linear layer"


def merged(base: dict, overlay: dict) -> dict:
    result = dict(base)
    for key, value in overlay.items():
        both = isinstance(value, dict) and isinstance(base.get(key), dict)
        result[key] = merged(base[key], value) if both else value
    return result


def prepare(run: Path, name: str, recipe: dict) -> Path:
    """RUN/recipes/NAME: the run's data, base model and its evaluation (hard links), and
    the run's config with the recipe as its `training.finetune`; RUN itself for the
    empty recipe (the run's own)."""
    if not recipe:
        return run
    workdir = run / "recipes" / name
    for shared in SHARED + SHARED_IF_MADE:
        source, target = run / shared, workdir / shared
        if target.exists() or not source.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, copy_function=os.link)
        else:
            os.link(source, target)
    config = yaml.safe_load((run / "config.yaml").read_text())
    config["training"]["finetune"] = merged(config["training"]["finetune"], recipe)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return workdir


def fine_tune(workdir: Path, target: str) -> None:
    log = workdir / "recipe.log"
    with log.open("w") as out:
        result = subprocess.run(
            [SNAKEMAKE, "--snakefile", ROOT / "Snakefile", "--cores", "1", target],
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode:
        raise RuntimeError(f"{workdir}: snakemake failed; see {log}")


def rehearsal_label(recipe: dict) -> str:
    """How a recipe rehearses: no, yes (mixed into the data) or with a KL term's weight."""
    if not recipe.get("rehearsal"):  # older runs: no key
        return "no"
    kl_weight = recipe.get("rehearsal_kl", 0)
    return f"yes, KL {kl_weight:g}" if kl_weight else "yes"


def recipe_row(name, recipe, base, tuned, seconds, bootstrap: Bootstrap) -> dict:
    """One recipe: its settings, what it learned and what it kept (share of base)."""
    row = {"recipe": name, "lr": f"{recipe['lr']:g}", "epochs": recipe["epochs"]}
    row["batch_size"] = recipe["batch_size"]
    row["rehearsal"] = rehearsal_label(recipe)
    modules = recipe["lora"]["target_modules"]
    row["trained"] = (
        "every weight"
        if recipe["full"]
        else f"LoRA r{recipe['lora']['rank']}: {trained_part(modules)}"
    )
    for split in LEARNED:
        values = item_values(tuned, split)["rouge_l"]
        row[f"{split}_rouge_l"] = float(values.mean())
        row[f"{split}_rouge_l_ci_low"], row[f"{split}_rouge_l_ci_high"] = bootstrap.mean_interval(
            values
        )
    for split in KEPT:
        before, after = item_values(base, split), item_values(tuned, split)
        for metric in METRICS:
            b, a = before[metric], after[metric]
            key = f"{split}_{metric}_kept"
            row[key] = float(a.mean() / b.mean())
            row[f"{key}_ci_low"], row[f"{key}_ci_high"] = bootstrap.interval(
                lambda index, axis, a=a, b=b: a[index].mean(axis=axis) / b[index].mean(axis=axis),
                len(a),
            )
    row["finetune_seconds"] = round(sum(seconds.get("finetune", [])), 1)
    return row


COLUMNS = {
    "forget_rouge_l": "forget ROUGE-L",
    "retain_rouge_l": "retain ROUGE-L",
    **{
        f"{split}_{metric}_kept": f"{split.replace('_', ' ')} {label} (share of base)"
        for split in KEPT
        for metric, label in zip(METRICS, ("ROUGE-L", "Prob", "TR"), strict=True)
    },
}


def table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows).set_index("recipe")
    settings = frame[["trained", "rehearsal", "lr", "epochs", "batch_size"]].rename(
        columns={"batch_size": "batch"}
    )
    data = {}
    for key, label in COLUMNS.items():
        data[label] = frame[key]
        data[f"{label} low"] = frame[f"{key}_ci_low"]
        data[f"{label} high"] = frame[f"{key}_ci_high"]
    return settings.join(pd.DataFrame(data, index=frame.index))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--recipes", type=Path, default=ROOT / "bench" / "recipes.yaml")
    parser.add_argument("--into", type=Path, default=ROOT / "docs" / "runs" / "recipes")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    run = args.run.resolve()
    for shared in SHARED:
        if not (run / shared).exists():
            sys.exit(f"{run / shared} does not exist: run `snakemake results/eval/base.json` there")
    recipes = yaml.safe_load(args.recipes.read_text())
    workdirs = {name: prepare(run, name, overlay or {}) for name, overlay in recipes.items()}
    target = evaluation_path(Model(FINETUNED, 0).id)
    with ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(lambda workdir: fine_tune(workdir, target), workdirs.values()))

    config = yaml.safe_load((run / "config.yaml").read_text())
    intervals = config["intervals"]
    bootstrap = Bootstrap(intervals["resamples"], intervals["confidence"], config["seed"])
    base = json.loads((run / evaluation_path("base")).read_text())
    rows, configs = [], {}
    for name, workdir in workdirs.items():
        recipe = yaml.safe_load((workdir / "config.yaml").read_text())["training"]["finetune"]
        tuned = json.loads((workdir / target).read_text())
        rows.append(recipe_row(name, recipe, base, tuned, rule_seconds(workdir), bootstrap))
        configs[name] = recipe
    frame = table(rows)
    args.into.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.into / "recipes.csv")
    (args.into / "recipes.md").write_text(shown(frame).to_markdown(disable_numparse=True) + "\n")
    write_json(
        args.into / "run.json",
        {
            **git_state(ROOT),
            "command": " ".join(["python bench/bench_recipes.py", *sys.argv[1:]]),
            "cpu": cpu_model(),
            "precision": resolve_precision(config["model"]["precision"]),
            "packages": package_versions(),
            "base_config": config,
            "recipes": configs,
            # wall seconds of each fine-tuning job; recipes may have run side by side
            "finetune_seconds": {row["recipe"]: row["finetune_seconds"] for row in rows},
        },
    )
    print(shown(frame).to_markdown(disable_numparse=True))


if __name__ == "__main__":
    main()
