"""The config's references to parts of the base model (LoRA target modules, layer
numbers), checked against the model itself before any job uses them: its config.json
and the names in its safetensors headers (no weight is loaded)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from .jsonl import write_json

log = logging.getLogger(__name__)

# The config keys that number hidden states (transformers' `output_hidden_states`)
HIDDEN_STATE_LAYERS = ("representation.layers", "probes.layers")


def model_parts(base: Path) -> tuple[int, set[str]]:
    """The number of transformer blocks, and the names of the modules that hold weights
    (`q_proj`, `down_proj`, ...)."""
    base = Path(base)
    blocks = json.loads((base / "config.json").read_text())["num_hidden_layers"]
    modules = set()
    for weights in base.glob("*.safetensors"):
        with open(weights, "rb") as file:
            header = json.loads(file.read(int.from_bytes(file.read(8), "little")))
        modules |= {name.split(".")[-2] for name in header if name.endswith(".weight")}
    return blocks, modules


def part_problems(base: Path, references: dict) -> list[str]:
    """What `references` ({"modules": {config key: names}, "layers": {config key:
    numbers}}) name that the model lacks. A block's layer number runs from 0; in
    `HIDDEN_STATE_LAYERS` 0 is the embeddings and the last block is `blocks`."""
    blocks, modules = model_parts(base)
    problems = []
    for key, targets in references["modules"].items():
        missing = sorted(set(targets) - modules)
        if missing:
            problems.append(
                f"config key {key}: the base model has no module {', '.join(missing)}"
                f" (its modules with weights: {', '.join(sorted(modules))})"
            )
    for key, numbers in references["layers"].items():
        last = blocks if key in HIDDEN_STATE_LAYERS else blocks - 1
        beyond = sorted({n for n in numbers if isinstance(n, int) and n > last})
        if beyond:
            problems.append(
                f"config key {key}: layer {', '.join(map(str, beyond))} beyond the base"
                f" model's (0 to {last})"
            )
    return problems


def check_model_parts(base: Path, references: dict, output: Path) -> None:
    """Raise, naming each config key, if `references` name parts the model lacks;
    otherwise record what the model has in `output`."""
    problems = part_problems(base, references)
    if problems:
        raise ValueError(
            "the config names parts of the base model it lacks:\n  " + "\n  ".join(problems)
        )
    blocks, modules = model_parts(base)
    write_json(output, {"blocks": blocks, "modules": sorted(modules), "checked": references})
    log.info(
        "the config's %d module and layer references fit the base model",
        len(references["modules"]) + len(references["layers"]),
    )
