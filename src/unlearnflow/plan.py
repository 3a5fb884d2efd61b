"""The experiment plan as data: which models a config trains and evaluates, their ids,
the stages each is built from, and where every artifact lives.

The Snakemake rules, the aggregation and the report ask this module; nothing else
spells a model id or a path. A model id is `base`, or a trained model under its
replicate seed: `seed~0/finetuned`, `seed~0/retain_only` (the gold model) and
`seed~0/unlearn/{method}/{hparams}`, where `{hparams}` is `key~value` pairs joined by
`_` (snakemake.utils.Paramspace style; `hparams_id` and `parse_hparams_id`). Dropping
the seed gives the model's point (`finetuned`, `unlearn/ga/lr~0.002_epochs~3`): what
replicates share. Imported while the DAG is built: no heavy imports.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass

BASE = "base"
FINETUNED = "finetuned"
GOLD = "retain_only"
UNLEARN = "unlearn"
# the models representation drift is measured against, and how figures name them
REFERENCES = {FINETUNED: "fine-tuned", GOLD: "gold"}
LABELS = {BASE: "base", **REFERENCES}

# The summary tables (each as csv, md and tex) and the figures (png) a run writes; a
# figure's caption is report/<name>.rst, its drawing plots.FIGURES[name].
TABLES = ("sweep", "quantize", "drift", "findings", "relearn", "probes", "robustness")
FIGURES = (
    "tradeoff",
    "intensity",
    "correlated_retain",
    "recovery",
    "layer_drift",
    "logit_lens",
    "membership",
    "relearning",
    "probes",
    "robustness",
    "forgetting_by_epoch",
    "layerdrift_by_epoch",
)
TABLE_FORMATS = ("csv", "md", "tex")
# The configured embedding model as a plain folder (embeddings.prepare_embedder): the
# classification and retrieval tracks start from it
EMBEDDER = "results/models/embedder"
PROVENANCE = "results/provenance.json"
# The base model's answers to the general questions it rehearses while fine-tuning
REHEARSAL = "results/rehearsal.jsonl"
# What the base model has of the parts the config names (model_parts.py)
MODEL_PARTS = "results/models/base_parts.json"
# A model's evaluation as a TOFU checkpoint folder of eval logs, by split: the names
# locuslab/tofu's evaluate_util.py writes and aggregate_eval_stat.py reads
TOFU_LOG_FILES = {
    "retain": "eval_log.json",
    "forget": "eval_log_forget.json",
    "real_authors": "eval_real_author_wo_options.json",
    "world_facts": "eval_real_world_wo_options.json",
}
# Relearning attacks (relearn.py): the forget set's share, or related retain facts
ATTACKS = ("forget_share", "related")
# Quantization schemes (quantize.py): name -> bits per weight, and whether the config's
# `quantization.group_size` applies; schemas/config.schema.yaml lists the same names.
SCHEMES = {
    "bnb-int8": {"bits": 8, "grouped": False},
    "bnb-nf4": {"bits": 4, "grouped": False},
    "bnb-fp4": {"bits": 4, "grouped": False},
    "rtn-int8": {"bits": 8, "grouped": False},
    "rtn-int4": {"bits": 4, "grouped": True},
}
# The rules whose jobs load a model: each asks for one GPU (MODEL_JOB_RESOURCES in
# rules/common.smk) and retries once; profiles/gpu and profiles/slurm give their threads.
GPU_RULES = (
    "finetune",
    GOLD,
    UNLEARN,
    "evaluate",
    "lm_eval",
    "quantize_evaluate",
    "reference_states",
    "representation_drift",
    "relearn",
)
# The embedding tracks' rules whose jobs load a model, likewise
EMBEDDING_GPU_RULES = (
    "train_classifier",
    "unlearn_classifier",
    "evaluate_classifier",
    "finetune_embedder",
    "unlearn_embedder",
    "evaluate_embedder",
)


def table_path(name: str, fmt: str) -> str:
    return f"results/tables/{name}.{fmt}"


def figure_path(name: str) -> str:
    return f"results/figures/{name}.png"


# Characters a hyperparameter value may not hold raw in a path segment, and their escapes.
_ESCAPES = {"%": "%25", "_": "%5F", "~": "%7E", "/": "%2F", '"': "%22", " ": "%20", "@": "%40"}


def _as_json(text: str):
    """`text` read as JSON, or None where it is not JSON."""
    try:
        return (json.loads(text),)
    except ValueError:
        return None


def hparams_id(hparams: dict) -> str:
    """`key~value` pairs joined by `_`: numbers and booleans as JSON (0.002, 3, true),
    strings bare (gd) unless they read as JSON themselves ("3"), and `%`, `_`, `~`, `/`,
    `"`, `@` and spaces percent-escaped, so that `parse_hparams_id` gives the same dict back
    for every value the config schema allows."""
    parts = []
    for key, value in hparams.items():
        if "~" in key or "/" in key:
            raise ValueError(f"hyperparameter name {key!r} holds '~' or '/'")
        bare = isinstance(value, str) and _as_json(value) is None
        text = value if bare else json.dumps(value)
        parts.append(f"{key}~{''.join(_ESCAPES.get(char, char) for char in text)}")
    return "_".join(parts)


def parse_hparams_id(text: str) -> dict:
    """The hyperparameters of a `hparams_id`: keys may hold `_`, values never do."""
    pieces = text.split("~")
    keys, values = [pieces[0]], []
    for piece in pieces[1:-1]:
        value, key = piece.split("_", 1)
        values.append(value)
        keys.append(key)
    values.append(pieces[-1])
    unescape = {escape: char for char, escape in _ESCAPES.items()}

    def decoded(value: str):
        value = re.sub(r"%[0-9A-F]{2}", lambda m: unescape[m.group()], value)
        as_json = _as_json(value)
        return value if as_json is None else as_json[0]

    return {key: decoded(value) for key, value in zip(keys, values, strict=True)}


@dataclass(frozen=True)
class Model:
    """One model of the plan: the base model, or a trained one under a replicate seed; an
    unlearned model saved after an `epoch` before its last (`@epoch~N` in its id)."""

    kind: str  # BASE, FINETUNED, GOLD or UNLEARN
    seed: int | str | None = None  # a string only as a wildcard pattern, "{seed}"
    method: str | None = None
    hparams: str | None = None  # the hyperparameters' id
    epoch: int | str | None = None  # None: the model after its last epoch

    @property
    def point(self) -> str:
        """The id without the seed: what the replicates of one model share."""
        if self.kind == UNLEARN:
            epoch = "" if self.epoch is None else f"@epoch~{self.epoch}"
            return f"{UNLEARN}/{self.method}/{self.hparams}{epoch}"
        return self.kind

    @property
    def id(self) -> str:
        return BASE if self.kind == BASE else f"seed~{self.seed}/{self.point}"

    @property
    def unlearned(self) -> bool:
        return self.kind == UNLEARN

    @property
    def label(self) -> str:
        """`npo lr=0.004 epochs=3 beta=0.1`; `base`, `fine-tuned` or `gold` otherwise."""
        if not self.unlearned:
            return LABELS[self.kind]
        pairs = parse_hparams_id(self.hparams).items()
        epoch = [] if self.epoch is None else [f"after epoch {self.epoch}"]
        return " ".join([self.method, *(f"{key}={value}" for key, value in pairs), *epoch])

    @classmethod
    def parse(cls, model_id: str) -> Model:
        if model_id == BASE:
            return cls(BASE)
        match = re.fullmatch(r"seed~(\d+)/(.+)", model_id)
        if not match:
            raise ValueError(f"not a model id: {model_id!r}")
        seed, point = int(match.group(1)), match.group(2)
        if point in (FINETUNED, GOLD):
            return cls(point, seed)
        parts = point.split("/")
        if len(parts) != 3 or parts[0] != UNLEARN:
            raise ValueError(f"not a model id: {model_id!r}")
        hparams, _, epoch = parts[2].partition("@epoch~")
        return cls(UNLEARN, seed, parts[1], hparams, int(epoch) if epoch else None)

    def final(self) -> Model:
        """The model after the last epoch of this model's run."""
        return Model(self.kind, self.seed, self.method, self.hparams)

    def epochs(self) -> int:
        """The epochs after which this model was saved: its own, or its run's last."""
        return self.epoch or parse_hparams_id(self.hparams)["epochs"]

    def replicate(self, kind: str) -> Model:
        """The model of `kind` trained under this model's seed (the base model for none)."""
        return Model(kind, self.seed) if kind != BASE and self.seed is not None else Model(BASE)


def model_columns(model_id: str) -> dict:
    """The columns that identify a model in every table: its id, point and seed, whether
    it is unlearned, its method (or kind) and its hyperparameters."""
    model = Model.parse(model_id)
    return {
        "model": model_id,
        "point": model.point,
        "seed": model.seed,
        "unlearned": model.unlearned,
        "method": model.method or model.kind,
        **(parse_hparams_id(model.hparams) if model.unlearned else {}),
    }


def point_label(point: str) -> str:
    """The label of a model point (a model id without its seed)."""
    return Model.parse(point if point == BASE else f"seed~0/{point}").label


# Wildcard constraint of a model id in output paths.
MODEL_ID_PATTERN = rf"{BASE}|seed~\d+/({FINETUNED}|{GOLD}|{UNLEARN}/[^/]+/[^/]+)"


def model_dir(model_id: str) -> str:
    return f"results/models/{model_id}"


def epochs_dir(model_id: str) -> str:
    """An unlearning run's models after each epoch before its last: `epoch~N/` inside."""
    return f"{model_dir(model_id)}@epochs"


def train_log_path(model_id: str) -> str:
    return f"results/train/{model_id}.json"


def evaluation_path(model_id: str) -> str:
    return f"results/eval/{model_id}.json"


def tofu_log_paths(model_id: str) -> dict[str, str]:
    """A model's evaluation as TOFU eval logs, by split (metrics/tofu_logs.py)."""
    folder = f"results/tofu_logs/{model_id}"
    return {split: f"{folder}/{name}" for split, name in TOFU_LOG_FILES.items()}


def harness_path(model_id: str) -> str:
    """A model's lm-evaluation-harness results (harness.py)."""
    return f"results/lm_eval/{model_id}.json"


def quantized_path(scheme: str, model_id: str) -> str:
    return f"results/quantize/{scheme}/{model_id}.json"


def relearn_path(attack: str, model_id: str) -> str:
    """A model's relearning attack: its forget metrics after each number of steps."""
    return f"results/relearn/{attack}/{model_id}.json"


def drift_path(model_id: str) -> str:
    return f"results/repr/{model_id}.json"


def answer_states_path(model_id: str) -> str:
    return f"results/repr/answers/{model_id}.safetensors"


def reference_states_path(model_id: str) -> str:
    return f"results/repr/states/{model_id}.safetensors"


def stages(model: Model) -> list[str]:
    """The trained stages applied to the base model, in order."""
    if model.kind == BASE:
        return []
    if model.unlearned:
        return [model_dir(model.replicate(FINETUNED).id), model_dir(model.id)]
    return [model_dir(model.id)]


class Plan:
    """The models of one config: `seeds` replicate every trained model; `unlearn` maps
    each method to its grid (lists of values per hyperparameter)."""

    def __init__(self, seeds: list[int], unlearn: dict[str, dict[str, list]]):
        self.seeds = list(seeds)
        self.sweep: dict[tuple[str, str], dict] = {}
        for method, grid in unlearn.items():
            for values in itertools.product(*grid.values()):
                hparams = dict(zip(grid, values, strict=True))
                self.sweep[method, hparams_id(hparams)] = hparams

    def unlearned(self) -> list[Model]:
        return [
            Model(UNLEARN, seed, method, point)
            for seed in self.seeds
            for method, point in self.sweep
        ]

    def epoch_models(self) -> list[Model]:
        """Every unlearned model saved after an epoch before its run's last
        (`training.unlearn.save_every_epoch`)."""
        return [
            Model(UNLEARN, model.seed, model.method, model.hparams, epoch)
            for model in self.unlearned()
            for epoch in range(1, model.epochs())
        ]

    def trained(self) -> list[Model]:
        """Per seed: the fine-tuned model, the gold model, every sweep point."""
        references = [Model(kind, seed) for seed in self.seeds for kind in REFERENCES]
        return references + self.unlearned()

    def evaluated(self) -> list[Model]:
        return [Model(BASE), *self.trained()]

    def references(self) -> list[Model]:
        return [Model(kind, seed) for seed in self.seeds for kind in REFERENCES]

    def gold_of(self, model: Model) -> Model:
        """The gold model forget quality compares `model` with: its own seed's (the
        first seed's for the base model)."""
        seed = self.seeds[0] if model.seed is None else model.seed
        return Model(GOLD, seed)
