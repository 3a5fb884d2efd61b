# All Python of the workflow: config checks, rule params, code fingerprints.
# Imported while the DAG is built: keep it free of heavy imports (no torch).
import itertools
import math
import os
from dataclasses import fields
from pathlib import Path

import jsonschema
import yaml

from unlearnflow.benchmarks import (
    BENCHMARKS,
    IMPORTED,
    RAW_TEXT,
    SYNTHETIC,
    benchmark_module,
    data_files,
    drift_questions,
    evaluation_files,
)
from unlearnflow.benchmarks.source import is_local, source_problems, table_file
from unlearnflow.classification import plan as classification_plan
from unlearnflow.classification.methods import (
    CLASSIFICATION_METHODS,
    SHARED as CLASSIFICATION_SHARED,
    hyperparameter_names,
)
from unlearnflow.code_fingerprint import PackageCode
from unlearnflow.models import model_width
from unlearnflow.retrieval import plan as retrieval_plan
from unlearnflow.retrieval.methods import (
    RETRIEVAL_METHODS,
    SHARED as RETRIEVAL_SHARED,
    hyperparameter_names as retrieval_hyperparameter_names,
)
from unlearnflow.data.backends import (
    TRANSPORT_SETTINGS,
    backend_module,
    transport_resources,
)
from unlearnflow.data.categories import CATEGORIES, max_wrong_answers
from unlearnflow.hardware import resolve_precision
from unlearnflow.methods import METHODS, make_method
from unlearnflow.plan import (
    ATTACKS,
    BASE,
    EMBEDDER,
    FIGURES,
    FINETUNED,
    GOLD,
    MODEL_ID_PATTERN,
    MODEL_PARTS,
    PROVENANCE,
    REHEARSAL,
    REFERENCES,
    SCHEMES,
    TABLE_FORMATS,
    TABLES,
    UNLEARN,
    Model,
    Plan,
    answer_states_path,
    drift_path,
    epochs_dir,
    evaluation_path,
    figure_path,
    model_dir,
    quantized_path,
    reference_states_path,
    relearn_path,
    stages,
    table_path,
    harness_path,
    tofu_log_paths,
    train_log_path,
)

# The workflow's folder, relative to the working directory: a project moved or copied
# as a whole keeps every input path and re-plans nothing.
WORKFLOW_DIR = Path(os.path.relpath(workflow.basedir))
# The red team's report: every rule that reads the benchmark takes it as an input, so
# that nothing trains on, or measures, data that failed a hard check.
VALIDATED = "data/validation_report.json"
# The synthetic benchmark's files, which the red team's report certifies (rule
# validate_data's inputs); an imported benchmark's: benchmarks.data_files.
SYNTHETIC_FILES = (
    "data/profiles.jsonl",
    "data/facts.jsonl",
    "data/sf.jsonl",
    "data/sr.jsonl",
    "data/holdout.jsonl",
    "data/wrong_details.jsonl",
    "data/forget_probes.jsonl",
)


def check_benchmark_complete():
    """A benchmark file deleted after validation: Snakemake would keep everything made
    from it and report nothing to do (a missing intermediate file re-runs nothing), so
    say so before any job, and how to make it again."""
    if not Path(VALIDATED).exists():
        return
    files = SYNTHETIC_FILES if SYNTHETIC_BENCHMARK else BENCHMARK_FILES.values()
    missing = [path for path in files if not Path(path).exists()]
    if missing:
        raise WorkflowError(
            f"{', '.join(missing)} missing, but {VALIDATED} certifies the benchmark:"
            f" restore it, or delete {VALIDATED} to regenerate it (and re-run all that"
            " depends on it)"
        )


# Static data shipped with the workflow (TOFU's utility sets, MIT licence).
TOFU_DATA = WORKFLOW_DIR / "data" / "tofu"


class ConfigError(Exception):
    """The config breaks its schema or a rule between keys; the message names the key."""


def config_problems(config, schema_path):
    """Every schema violation as 'config key a.b.c: what is wrong'."""
    schema = yaml.safe_load(Path(schema_path).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in sorted(
        validator.iter_errors(config), key=lambda e: list(e.absolute_path)
    ):
        key = ".".join(str(part) for part in error.absolute_path) or "(top level)"
        problems.append(f"config key {key}: {error.message}")
    return problems


def nonfinite_problems(value, key=""):
    """Every NaN or infinity in the config (a schema's bounds let NaN through)."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        finite = not isinstance(value, float) or math.isfinite(value)
        return (
            []
            if finite
            else [f"config key {key}: must be a finite number, not {value}"]
        )
    return [
        problem
        for part, inner in items
        for problem in nonfinite_problems(inner, f"{key}.{part}" if key else str(part))
    ]


def benchmark_problems(benchmark):
    """The benchmark's name against the registry; an imported one's own keys."""
    name = benchmark["name"]
    if name not in BENCHMARKS:
        return [
            f"config key benchmark.name: {name!r} is not a benchmark;"
            f" allowed: {', '.join(BENCHMARKS)}"
        ]
    if name == SYNTHETIC:
        return []
    if "source" not in benchmark:
        return [
            "config key benchmark.source: missing (a Hugging Face Hub id or a local folder)"
        ]
    importer = benchmark_module(name)
    problems = importer.settings_problems(benchmark)
    if problems:
        return problems
    # once imported, a Hub source is not needed to plan
    tables = importer.source_tables(benchmark)
    return source_problems(
        benchmark["source"], tables, needs_hub=not Path(VALIDATED).exists()
    )


def consistency_problems(config):
    """Rules between keys that a schema cannot say."""
    data, backend = config["data"], config["generation"]["backend"]
    problems = []
    if data["forget_category"] not in data["categories"]:
        problems.append("config key data.forget_category: not one of data.categories")
    for category in data["correlated_categories"]:
        if category not in data["categories"] or category == data["forget_category"]:
            problems.append(
                f"config key data.correlated_categories: {category!r} must be a retain"
                " category listed in data.categories"
            )
    if backend == "template":
        for category in data["categories"]:
            if category not in CATEGORIES:
                problems.append(
                    f"config key data.categories: the template backend has no category"
                    f" {category!r} (it has: {', '.join(CATEGORIES)})"
                )
        bounds = {
            name: max_wrong_answers(CATEGORIES[name])
            for name in data["categories"]
            if name in CATEGORIES
        }
        for name, bound in bounds.items():
            if bound is not None and data["wrong_answers"] > bound:
                problems.append(
                    f"config key data.wrong_answers: the template backend draws at most"
                    f" {bound} wrong answers for category {name!r}"
                )
        if data["paraphrased_questions"] > 3:
            problems.append(
                "config key data.paraphrased_questions: the template backend has at most 3"
            )
        if data["probes_per_fact"] > 4:
            problems.append(
                "config key data.probes_per_fact: the template backend has at most 4"
            )
    return problems


def sweep_problems(config):
    """Method names and grid keys of `unlearn`, checked against the method registry."""
    problems = []
    for method, grid in config["unlearn"].items():
        if method not in METHODS:
            problems.append(
                f"config key unlearn.{method}: no such method (known: {', '.join(METHODS)})"
            )
            continue
        allowed = {"lr", "epochs"} | {field.name for field in fields(METHODS[method])}
        unknown = sorted(set(grid) - allowed)
        for key in unknown:
            problems.append(
                f"config key unlearn.{method}.{key}: not a hyperparameter of {method}"
                f" (it has: {', '.join(sorted(allowed))})"
            )
        if not unknown:
            problems += grid_value_problems(method, grid)
    if config["training"]["unlearn"]["full"]:
        for method in config["unlearn"]:
            if method in METHODS and METHODS[method].needs_adapter:
                problems.append(
                    f"config key training.unlearn.full: {method} works on the unlearning LoRA"
                    " adapter (it trains and then rescales an adapter); set full: false"
                )
    return problems


def grid_value_problems(method, grid):
    """Each value of a method's own hyperparameters, checked by the method itself; no
    value twice (two equal values would be one job)."""
    problems = []
    for key, values in grid.items():
        repeated = sorted({str(v) for v in values if values.count(v) > 1})
        if repeated:
            problems.append(
                f"config key unlearn.{method}.{key}: {', '.join(repeated)} listed twice"
            )
        if key in ("lr", "epochs"):
            continue
        for value in values:
            try:
                make_method(method, **{key: value})
            except ValueError as error:
                problems.append(f"config key unlearn.{method}.{key}: {error}")
    return problems


def relearning_problems(config):
    """Relearning attacks the data cannot give: a share of the synthetic forget set that
    leaves no item to attack with or none to evaluate; attacks on raw text."""
    relearning = config["relearning"]
    if not relearning["attacks"]:
        return []
    if config["benchmark"]["name"] in RAW_TEXT:
        return [
            "config key relearning.attacks: attacks are built from QA; set [] for"
            f" {config['benchmark']['name']}"
        ]
    problems = []
    repeated = sorted(
        {k for k in relearning["steps"] if relearning["steps"].count(k) > 1}
    )
    if repeated:
        problems.append(f"config key relearning.steps: {repeated} listed twice")
    if config["benchmark"]["name"] == SYNTHETIC:
        people = config["data"]["people"]
        count = round(relearning["share"] * people)
        if not 1 <= count < people:
            problems.append(
                f"config key relearning.share: {relearning['share']} of {people} forget"
                f" items is {count}; the attack needs at least one and must leave one to"
                " evaluate"
            )
    return problems


def probe_problems(config):
    """Probes the data cannot give: probes of raw text, more folds than forget items."""
    probes = config["probes"]
    if not probes["layers"]:
        return []
    if config["benchmark"]["name"] in RAW_TEXT:
        return [
            "config key probes.layers: the probes read forget answers and their wrong"
            f" answers (QA); set [] for {config['benchmark']['name']}"
        ]
    people = config["data"]["people"]
    if config["benchmark"]["name"] == SYNTHETIC and probes["folds"] > people:
        return [
            f"config key probes.folds: {probes['folds']} folds of {people} forget items;"
            " at most one fold per item"
        ]
    return []


def raw_text_problems(config):
    """What a raw-text benchmark cannot train with: a QA rehearsal set, methods that
    answer a question with "I don't know"."""
    name = config["benchmark"]["name"]
    if name not in RAW_TEXT:
        return []
    problems = []
    if config["training"]["finetune"]["rehearsal"]:
        problems.append(
            f"config key training.finetune.rehearsal: {name} trains on raw text; the"
            " rehearsal set is QA (set it to false)"
        )
    for method in config["unlearn"]:
        if method in METHODS and METHODS[method].needs_idk_answers:
            problems.append(
                f'config key unlearn.{method}: answers questions with "I don\'t know";'
                f" {name} trains on raw text"
            )
    return problems


def classification_problems(config):
    """The classification track's source, forget class and sweep, where they can be
    checked before any job (a dataset's files and labels are checked by its first job,
    before any training). The
    synthetic source's ties to the benchmark are checked where `task` is this track;
    under another task, rule classification_data checks them when it is asked for."""
    settings, problems = config["classification"], []
    if settings["source"] == "synthetic" and config["task"] == "classification":
        if config["benchmark"]["name"] != SYNTHETIC:
            problems.append(
                "config key classification.source: synthetic needs the synthetic benchmark"
                f" (benchmark.name is {config['benchmark']['name']!r}); give a dataset instead"
            )
        elif settings["forget_class"] not in config["data"]["categories"]:
            problems.append(
                f"config key classification.forget_class: {settings['forget_class']!r} is not"
                f" a label of the synthetic source (data.categories:"
                f" {', '.join(config['data']['categories'])})"
            )
    for method, grid in settings["unlearn"].items():
        known = {*CLASSIFICATION_SHARED, *hyperparameter_names(method)}
        for key in sorted(set(grid) - known):
            problems.append(
                f"config key classification.unlearn.{method}.{key}: {method} has no such"
                f" hyperparameter (it has: {', '.join(sorted(known))})"
            )
    if not settings["training"]["full"] and "lora" not in settings["training"]:
        problems.append(
            "config key classification.training.lora: needed where training.full is false"
        )
    return problems


def retrieval_problems(config):
    """The retrieval track's source, sweep and Matryoshka dimensions (against the
    model's width where its config is on this disk; otherwise its first job checks)."""
    settings, problems = config["retrieval"], []
    if (
        settings["source"] == "synthetic"
        and config["benchmark"]["name"] != SYNTHETIC
        and config["task"] == "retrieval"
    ):
        problems.append(
            "config key retrieval.source: synthetic needs the synthetic benchmark"
            f" (benchmark.name is {config['benchmark']['name']!r}); give a BEIR folder instead"
        )
    for method, grid in settings["unlearn"].items():
        known = {*RETRIEVAL_SHARED, *retrieval_hyperparameter_names(method)}
        for key in sorted(set(grid) - known):
            problems.append(
                f"config key retrieval.unlearn.{method}.{key}: {method} has no such"
                f" hyperparameter (it has: {', '.join(sorted(known))})"
            )
    width = model_width(config["embedding"]["model"])
    too_wide = [d for d in settings["dimensions"] if width is not None and d > width]
    if too_wide:
        problems.append(
            f"config key retrieval.dimensions: {too_wide} above the width {width} of"
            f" embedding.model {config['embedding']['model']}"
        )
    if not settings["training"]["full"] and "lora" not in settings["training"]:
        problems.append(
            "config key retrieval.training.lora: needed where training.full is false"
        )
    return problems


def check_config(config, schema_path):
    problems = nonfinite_problems(config) or config_problems(config, schema_path)
    if not problems:
        problems = (
            benchmark_problems(config["benchmark"])
            + consistency_problems(config)
            + sweep_problems(config)
            + raw_text_problems(config)
            + relearning_problems(config)
            + probe_problems(config)
            + classification_problems(config)
            + retrieval_problems(config)
        )
    if problems:
        raise ConfigError("invalid config:\n  " + "\n  ".join(problems))


# An overlay drops a method that the config below it sweeps by setting it to null.
def without_dropped(grids):
    return {method: grid for method, grid in (grids or {}).items() if grid is not None}


config["unlearn"] = without_dropped(config.get("unlearn"))
for track in ("classification", "retrieval"):
    if isinstance(config.get(track), dict):
        config[track]["unlearn"] = without_dropped(config[track].get("unlearn"))
check_config(config, Path(workflow.basedir) / "schemas" / "config.schema.yaml")
# Where the benchmark comes from (benchmark.name): the generator, or an import.
SYNTHETIC_BENCHMARK = config["benchmark"]["name"] == SYNTHETIC
RAW_TEXT_BENCHMARK = config["benchmark"]["name"] in RAW_TEXT
BENCHMARK_FILES = data_files(config["benchmark"]["name"])
check_benchmark_complete()


# --- code fingerprints: a rule re-runs when the package code its script runs changes ---
PACKAGE_CODE = PackageCode(Path(workflow.basedir) / "src" / "unlearnflow")
SCRIPTS = Path(workflow.basedir) / "scripts"


def script_code(script, *implementations):
    """Fingerprint of the package files that scripts/`script` imports, directly or not,
    plus the registered `implementations` it runs (unlearnflow/code_fingerprint.py)."""
    return PACKAGE_CODE.fingerprint(SCRIPTS / script, implementations)


# --- resources of the jobs that load a model, sized for the embedded default; profiles
# override them per rule (profiles/slurm), and no result depends on them ---
# `auto` resolved here, so that a job's params say the dtype it ran in.
MODEL_PRECISION = resolve_precision(config["model"]["precision"])
MODEL_JOB_MEM_MB = 8000
MODEL_JOB_RUNTIME_MIN = 60


def model_job_memory_mb(wildcards, attempt):
    """Memory of a model job, doubled when a failed job is retried."""
    return MODEL_JOB_MEM_MB * attempt


def job_log(rule, job):
    """The log of one job of a model rule: logs/{rule}/{its model id, or scheme/id}.log."""
    return f"logs/{rule}/{job}.log"


def job_benchmark(rule, job):
    """Where Snakemake writes one job's wall time and memory (bench/bench_dag.py reads it)."""
    return f"benchmarks/{rule}/{job}.tsv"


MODEL_JOB_RESOURCES = {
    "gpu": 1,
    "mem_mb": model_job_memory_mb,
    "runtime": MODEL_JOB_RUNTIME_MIN,
}


# --- params: each rule gets exactly the settings its output depends on ---
def rehearsal_data():
    """The rehearsal set, when `training.finetune.rehearsal` asks for it (else none)."""
    return [REHEARSAL] if config["training"]["finetune"]["rehearsal"] else []


def training_settings(stage):
    """`training.{stage}`, and for a raw-text benchmark the tokens of its training
    chunks (`benchmark.max_length`)."""
    settings = config["training"][stage]
    if RAW_TEXT_BENCHMARK:
        return {**settings, "chunk_tokens": config["benchmark"]["max_length"]}
    return settings


def model_part_references():
    """What the config names of the base model, by config key: LoRA target modules and
    layer numbers (checked by rule check_model_parts before any job uses them)."""
    training = config["training"]
    modules = {
        f"training.{stage}.lora.target_modules": training[stage]["lora"][
            "target_modules"
        ]
        for stage in ("finetune", "unlearn")
        if not training[stage]["full"]
    }
    layers = {
        f"unlearn.{method}.layer": grid["layer"]
        for method, grid in config["unlearn"].items()
        if "layer" in grid
    }
    for key in ("representation", "probes"):
        if config[key]["layers"] != "all":
            layers[f"{key}.layers"] = config[key]["layers"]
    return {"modules": modules, "layers": layers}


def backend_params():
    """The generation backend: its name, the seed and, for `openai`, the endpoint
    settings that shape a record (the others are `backend_resources`)."""
    generation = config["generation"]
    params = {"name": generation["backend"], "seed": config["seed"]}
    if generation["backend"] == "openai":
        params["openai"] = {
            key: value
            for key, value in generation["openai"].items()
            if key not in TRANSPORT_SETTINGS
        }
    return params


def backend_resources():
    """For `openai`, the transport settings (rate limits, timeouts, retries, the cache):
    resources, which never re-run a job."""
    generation = config["generation"]
    if generation["backend"] != "openai":
        return {}
    return transport_resources(generation["openai"])


def benchmark_source_files():
    """A local benchmark folder's tables the import reads (a Hub id's are no files)."""
    benchmark = config["benchmark"]
    source = benchmark["source"]
    if not is_local(source):
        return []
    tables = benchmark_module(benchmark["name"]).source_tables(benchmark)
    return [str(table_file(Path(source), name)) for name in tables]


def import_code():
    """The import script's code and its benchmark module's."""
    return script_code("import_benchmark.py", IMPORTED[config["benchmark"]["name"]])


def generation_code(script):
    """The generation script's code and its backend's."""
    return script_code(script, backend_module(config["generation"]["backend"]))


def judge_backend_params():
    """The backend that judges answers in validate_data, or None when no judge is asked."""
    generation = config["generation"]
    if generation["backend"] == "openai" and generation["openai"]["judge"]:
        return backend_params()
    return None


def validation_code():
    """The validation script's code, and the judge's backend where one judges."""
    judge = judge_backend_params()
    return script_code(
        "validate_data.py", *([backend_module(judge["name"])] if judge else [])
    )


# Published models in place of training them: model kind -> folder or Hub id.
PUBLISHED_MODELS = {
    kind: config["model"][key]
    for kind, key in ((FINETUNED, "finetuned"), (GOLD, "gold"))
    if config["model"].get(key)
}


def published_source(wildcards):
    """The folder or Hub id of the published model of `wildcards.kind`."""
    return PUBLISHED_MODELS[wildcards.kind]


# --- the plan: every model, its id and its paths (unlearnflow/plan.py) ---
PLAN = Plan(config["seeds"], config["unlearn"])
# output patterns of the training rules, the seed and sweep point as wildcards
FINETUNED_PATTERN = Model(FINETUNED, "{seed}").id
GOLD_PATTERN = Model(GOLD, "{seed}").id
UNLEARN_PATTERN = Model(UNLEARN, "{seed}", "{method}", "{hparams}").id
EPOCH_PATTERN = Model(UNLEARN, "{seed}", "{method}", "{hparams}", "{epoch}").id
REFERENCE_IDS = "|".join(REFERENCES)


def trained_ids():
    return [model.id for model in PLAN.trained()]


def unlearned_ids():
    return [model.id for model in PLAN.unlearned()]


def unlearn_hparams(wildcards):
    return PLAN.sweep[wildcards.method, wildcards.hparams]


def replicate_seed(wildcards):
    """The seed of a trained model's replicate: its training's random draws."""
    return int(wildcards.seed)


def unlearn_code(wildcards):
    """Fingerprint of the code one sweep point runs: its own method's, not the others'."""
    return script_code("unlearn.py", METHODS[wildcards.method].__module__)


def unlearn_inputs(wildcards):
    """The models and data a sweep point trains from; TOFU's "I don't know" replies for
    the methods that prefer them."""
    inputs = {
        "base": model_dir(BASE),
        "start": model_dir(Model(FINETUNED, wildcards.seed).id),
        "forget": "data/sf.jsonl",
        "retain": "data/sr.jsonl",
    }
    if METHODS[wildcards.method].needs_idk_answers:
        inputs["idk"] = TOFU_DATA / "idontknow.jsonl"
    return inputs


# The benchmark's evaluator: TOFU's metrics of a QA benchmark, or a raw-text benchmark's own.
EVALUATOR = {"muse": "evaluate_muse.py", "wmdp": "evaluate_wmdp.py"}.get(
    config["benchmark"]["name"], "evaluate.py"
)


def evaluate_inputs(wildcards):
    """A model's base and stages, and the data every evaluation reads (validated): the
    benchmark's evaluation files, and TOFU's real-world sets where it is QA."""
    inputs = {
        "base": model_dir(BASE),
        "stages": stages(Model.parse(wildcards.model)),
        "validated": VALIDATED,
        **evaluation_files(config["benchmark"]["name"]),
    }
    if not RAW_TEXT_BENCHMARK:
        inputs["real_authors"] = TOFU_DATA / "real_authors_perturbed.json"
        inputs["world_facts"] = TOFU_DATA / "world_facts_perturbed.json"
    return inputs


# --- aggregation: each table's inputs as {model id: path}, never parallel lists ---
def evaluations(models):
    return {model.id: evaluation_path(model.id) for model in models}


def train_logs():
    return {model.id: train_log_path(model.id) for model in PLAN.unlearned()}


def golds(models):
    """The gold model each model's forget quality and privleak compare against."""
    return {model.id: PLAN.gold_of(model).id for model in models}


def evaluation_settings():
    """What the evaluator's results depend on (not the harness's tasks: rule lm_eval);
    for a raw-text benchmark, the tokens of each scored text (`benchmark.max_length`).
    """
    settings = {k: v for k, v in config["evaluation"].items() if k != "lm_eval"}
    if RAW_TEXT_BENCHMARK:
        settings["text_tokens"] = config["benchmark"]["max_length"]
    return settings


def model_stages(wildcards):
    """The trained stages of `wildcards.model`, applied to the base model in order."""
    return stages(Model.parse(wildcards.model))


def harness_task_files():
    """The task YAMLs of `evaluation.lm_eval.include_path`: an edit re-runs the harness."""
    folder = config["evaluation"]["lm_eval"].get("include_path")
    return sorted(str(path) for path in Path(folder).rglob("*.yaml")) if folder else []


def harness_results(models):
    """Each model's harness results, where `evaluation.lm_eval.tasks` names any."""
    if not config["evaluation"]["lm_eval"]["tasks"]:
        return {}
    return {model.id: harness_path(model.id) for model in models}


def tofu_log_targets():
    """TOFU eval logs of every trained model (each has a gold model to compare with),
    where the benchmark is QA."""
    if RAW_TEXT_BENCHMARK:
        return []
    return [
        path for model in PLAN.trained() for path in tofu_log_paths(model.id).values()
    ]


def sweep_params():
    models = PLAN.evaluated()
    return {
        "evaluations": evaluations(models),
        "train_logs": train_logs(),
        "golds": golds(models),
        "harness": harness_results(models),
    }


# --- quantization: every trained model under every scheme of the config ---
QUANTIZATION = config["quantization"]


def quantization_params(wildcards):
    """The scheme, and the group size where the scheme has groups."""
    scheme = wildcards.scheme
    group_size = QUANTIZATION["group_size"] if SCHEMES[scheme]["grouped"] else None
    return {"scheme": scheme, "group_size": group_size}


def quantize_params():
    models = PLAN.trained()
    return {
        "evaluations": evaluations(models),
        "quantized": {
            scheme: {model.id: quantized_path(scheme, model.id) for model in models}
            for scheme in QUANTIZATION["schemes"]
        },
        "train_logs": train_logs(),
        "golds": golds(models),
        "starts": {model.id: model.replicate(FINETUNED).id for model in models},
    }


# --- representation drift: every trained model against its seed's references ---
def reference_inputs(wildcards):
    return {"base": model_dir(BASE), "stages": stages(Model.parse(wildcards.reference))}


def representation_references(wildcards):
    """{reference kind: its seed's saved states} for one model."""
    model = Model.parse(wildcards.model)
    return {
        kind: reference_states_path(model.replicate(kind).id) for kind in REFERENCES
    }


def representation_inputs(wildcards):
    return {
        "base": model_dir(BASE),
        "stages": stages(Model.parse(wildcards.model)),
        "references": mapped_paths(representation_references(wildcards)),
        **({"wrong_details": "data/wrong_details.jsonl"} if PROBES["layers"] else {}),
    }


# The questions representation drift reads: the benchmark's forget and retain QA.
DRIFT_QUESTIONS = drift_questions(config["benchmark"]["name"])


def repr_params():
    return {"drifts": {model.id: drift_path(model.id) for model in PLAN.trained()}}


# --- the epoch axis: each unlearning run's models after every epoch before its last ---
SAVE_EVERY_EPOCH = config["training"]["unlearn"].get("save_every_epoch", False)


def epoch_outputs():
    """The folder of a run's models after each epoch, where the config saves them."""
    return (
        {"epochs": directory(epochs_dir(UNLEARN_PATTERN))} if SAVE_EVERY_EPOCH else {}
    )


def epoch_params():
    """Every unlearned model after each of its epochs (the last: the sweep's model)."""
    models = PLAN.unlearned() + PLAN.epoch_models()
    return {
        "evaluations": {model.id: evaluation_path(model.id) for model in models},
        "drifts": {model.id: drift_path(model.id) for model in models},
    }


def epoch_targets():
    """The epoch table, where the config saves every epoch."""
    return ["results/epoch_results.json"] if SAVE_EVERY_EPOCH else []


# --- linear probes: every trained model's answer states, probed per seed ---
PROBES = config["probes"]


def answer_state_outputs():
    """The answer states a representation job writes where the config probes."""
    return {"answer_states": answer_states_path("{model}")} if PROBES["layers"] else {}


def probe_params():
    models = PLAN.trained()
    return {
        "answer_states": {model.id: answer_states_path(model.id) for model in models},
        "starts": {model.id: model.replicate(FINETUNED).id for model in models},
    }


def probe_targets():
    """The probe table, where the config names any probe layer."""
    return ["results/probe_results.json"] if PROBES["layers"] else []


def mapped_paths(mapping):
    """Every path of a (nested) {name: path} mapping."""
    if isinstance(mapping, dict):
        return [path for value in mapping.values() for path in mapped_paths(value)]
    return [mapping]


# --- relearning attacks: every trained model under every attack of the config ---
RELEARNING = config["relearning"]


def relearning_settings():
    """What an attack's results depend on, but which attack it is (its wildcard)."""
    return {key: value for key, value in RELEARNING.items() if key != "attacks"}


def relearning_evaluation():
    """The evaluation settings an attack's evaluations use."""
    return {key: config["evaluation"][key] for key in ("batch_size", "max_new_tokens")}


def model_seed(wildcards):
    """The replicate seed of `wildcards.model`: its attack's random draws."""
    return Model.parse(wildcards.model).seed


def relearn_inputs(wildcards):
    return {
        "base": model_dir(BASE),
        "stages": stages(Model.parse(wildcards.model)),
        "evaluation": evaluation_path(wildcards.model),
        "validated": VALIDATED,
        "forget": "data/sf.jsonl",
        "retain": "data/sr.jsonl",
        "wrong_details": "data/wrong_details.jsonl",
    }


def relearn_params():
    models = PLAN.trained()
    return {
        "attacked": {
            attack: {model.id: relearn_path(attack, model.id) for model in models}
            for attack in RELEARNING["attacks"]
        },
        "starts": {model.id: model.replicate(FINETUNED).id for model in models},
    }


def relearn_targets():
    """The relearning table, where the config names any attack."""
    return ["results/relearn_results.json"] if RELEARNING["attacks"] else []


# the params of an aggregation rule that map model ids to files
PATH_PARAMS = (
    "evaluations",
    "quantized",
    "train_logs",
    "drifts",
    "harness",
    "attacked",
    "answer_states",
)


def aggregation_inputs(params):
    """An aggregation rule's inputs: every file its params map a model id to."""
    return mapped_paths({key: params[key] for key in PATH_PARAMS if key in params})


# --- intervals over items of every aggregated metric (metrics/bootstrap.py) ---
BOOTSTRAP = {
    "resamples": config["intervals"]["resamples"],
    "confidence": config["intervals"]["confidence"],
    "seed": config["seed"],
}


# --- the classification track: an embedding classifier unlearns a class ---
CLASSIFICATION = config["classification"]
CLASSIFIERS = classification_plan.model_ids(CLASSIFICATION["unlearn"])


def synthetic_source_only(track):
    """A track's synthetic source needs the synthetic benchmark: say so where a job asks."""
    if not SYNTHETIC_BENCHMARK:
        raise WorkflowError(
            f"config key {track}.source: synthetic needs the synthetic benchmark (benchmark.name"
            f" is {config['benchmark']['name']!r}); give a dataset instead"
        )
    if (
        track == "classification"
        and CLASSIFICATION["forget_class"] not in config["data"]["categories"]
    ):
        raise WorkflowError(
            f"config key classification.forget_class: {CLASSIFICATION['forget_class']!r} is not"
            " a label of the synthetic source (data.categories)"
        )


def classification_data_inputs(wildcards):
    """The benchmark's facts and people for the synthetic source (a dataset is read by
    the job itself)."""
    if CLASSIFICATION["source"] != "synthetic":
        return {}
    synthetic_source_only("classification")
    return {
        "facts": "data/facts.jsonl",
        "profiles": "data/profiles.jsonl",
        "validated": VALIDATED,
    }


def classifier_settings():
    """What training any classifier depends on: `classification.training` with the
    embedding's pooling and length and the head's width."""
    return {
        **CLASSIFICATION["training"],
        "pooling": config["embedding"]["pooling"],
        "max_length": config["embedding"]["max_length"],
        "head_hidden": CLASSIFICATION["head_hidden"],
    }


def unlearning_classifier_settings():
    """What class unlearning depends on besides its method and grid point."""
    return {
        **classifier_settings(),
        "batch_size": CLASSIFICATION["unlearning"]["batch_size"],
    }


def classifier_hparams(wildcards):
    return classification_plan.method_and_hparams(
        f"{classification_plan.UNLEARN}/{wildcards.method}/{wildcards.hparams}"
    )[1]


def classification_evaluations():
    return {model: classification_plan.evaluation_path(model) for model in CLASSIFIERS}


def classification_curves():
    return {model: classification_plan.curve_path(model) for model in CLASSIFIERS}


def classification_targets():
    """The classification track's results, table and figures."""
    return [
        classification_plan.RESULTS,
        *[table_path(classification_plan.TABLE, fmt) for fmt in TABLE_FORMATS],
        *[
            classification_plan.figure_path(name)
            for name in classification_plan.FIGURES
        ],
    ]


# --- the retrieval track: an embedder unlearns documents ---
RETRIEVAL = config["retrieval"]
RETRIEVERS = retrieval_plan.model_ids(RETRIEVAL["unlearn"])
RETRIEVAL_SCHEMES = ["float", *QUANTIZATION["schemes"]]


def retrieval_data_inputs(wildcards):
    """The benchmark files the synthetic source is built from (a dataset is read by the
    job itself)."""
    if RETRIEVAL["source"] != "synthetic":
        return {}
    synthetic_source_only("retrieval")
    return {
        "facts": "data/facts.jsonl",
        "profiles": "data/profiles.jsonl",
        "sf": "data/sf.jsonl",
        "sr": "data/sr.jsonl",
        "wrong_details": "data/wrong_details.jsonl",
        "validated": VALIDATED,
    }


def embedder_settings():
    """What every retrieval job's embeddings depend on."""
    keys = ("dimensions", "temperature", "hard_negatives", "query_instruction", "k")
    return {
        **{key: RETRIEVAL[key] for key in keys},
        "pooling": config["embedding"]["pooling"],
        "max_length": config["embedding"]["max_length"],
    }


def retrieval_training_settings():
    return {**embedder_settings(), **RETRIEVAL["training"]}


def retrieval_unlearning_settings():
    batch = {"batch_size": RETRIEVAL["unlearning"]["batch_size"]}
    return {**retrieval_training_settings(), **batch}


def retriever_hparams(wildcards):
    return classification_plan.method_and_hparams(
        f"{retrieval_plan.UNLEARN}/{wildcards.method}/{wildcards.hparams}"
    )[1]


def retrieval_evaluations():
    """scheme ("float" or a quantization scheme) -> model -> its evaluation."""
    return {
        scheme: {
            model: retrieval_plan.evaluation_path(model, scheme) for model in RETRIEVERS
        }
        for scheme in RETRIEVAL_SCHEMES
    }


def evaluated_embedder(wildcards):
    return retrieval_plan.model_dir(wildcards.model)


def evaluation_scheme(wildcards):
    return None if wildcards.scheme == "float" else wildcards.scheme


def retrieval_targets():
    """The retrieval track's results, tables and figures."""
    return [
        retrieval_plan.RESULTS,
        *[
            table_path(name, fmt)
            for name in retrieval_plan.TABLES
            for fmt in TABLE_FORMATS
        ],
        *[retrieval_plan.figure_path(name) for name in retrieval_plan.FIGURES],
    ]


def task_targets():
    """What rule all builds for `task` (the provenance apart)."""
    if config["task"] == "classification":
        return classification_targets()
    if config["task"] == "retrieval":
        return retrieval_targets()
    return [
        VALIDATED,
        "results/sweep_results.json",
        *tofu_log_targets(),
        "results/quantize_results.json",
        "results/repr_results.json",
        *relearn_targets(),
        *probe_targets(),
        *epoch_targets(),
        *[table_path(name, fmt) for name in TABLES for fmt in TABLE_FORMATS],
        *[figure_path(name) for name in FIGURES],
    ]
