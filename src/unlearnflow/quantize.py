"""Post-training quantization of a merged model: bitsandbytes and round-to-nearest.

Zhang et al. 2024 ("Catastrophic Failure of LLM Unlearning via Quantization") found
that 4-bit quantization restores much of what unlearning removed: the unlearning
update is small next to the quantization step, so both models round to the same grid.
That only shows on merged weights (models.load_stack merges every adapter); a LoRA
delta kept in float would pass through quantization untouched.

Every linear layer of the transformer blocks is quantized; the embeddings and the
unembedding stay in float, as bitsandbytes (through transformers) leaves them.
The round-to-nearest schemes quantize and dequantize in place, so the model then
runs float matmuls on the rounded weights:
- `rtn-int8`: symmetric, one scale per output channel (absmax / 127), as LLM.int8()'s
  vector-wise quantization (Dettmers et al. 2022) without its outlier columns.
- `rtn-int4`: asymmetric (scale and zero point, levels 0..15) per group of
  `group_size` consecutive input weights of a row, the round-to-nearest baseline of
  GPTQ (Frantar et al. 2023) and AWQ (Lin et al. 2024).
"""

from __future__ import annotations

import logging
import tempfile

import torch

from .plan import SCHEMES


def rtn_int8(weight: torch.Tensor) -> torch.Tensor:
    """`weight` rounded to 8-bit levels, one symmetric scale per output row."""
    scale = weight.abs().amax(dim=1, keepdim=True).clamp(min=1e-12) / 127
    return (weight / scale).round().clamp(-127, 127) * scale


def rtn_int4(weight: torch.Tensor, group_size: int) -> torch.Tensor:
    """`weight` rounded to 16 levels between the min and max of each group of
    `group_size` input weights of a row (the last group of a row may be shorter)."""
    rows, columns = weight.shape
    padded = -(-columns // group_size) * group_size
    edge = weight[:, -1:].expand(rows, padded - columns)  # repeats a real value: no new extremes
    groups = torch.cat([weight, edge], dim=1).reshape(rows, -1, group_size)
    low = groups.amin(dim=-1, keepdim=True)
    high = groups.amax(dim=-1, keepdim=True)
    scale = ((high - low) / 15).clamp(min=1e-12)
    zero = (-low / scale).round()
    levels = ((groups / scale).round() + zero).clamp(0, 15)
    return ((levels - zero) * scale).reshape(rows, padded)[:, :columns]


def quantized_linears(model) -> list[torch.nn.Linear]:
    """The linear layers a scheme quantizes: all but the unembedding."""
    head = model.get_output_embeddings()
    return [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m is not head]


def bnb_config(scheme: str, compute_dtype: torch.dtype):
    from transformers import BitsAndBytesConfig

    if scheme == "bnb-int8":
        return BitsAndBytesConfig(load_in_8bit=True)
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type=scheme.removeprefix("bnb-"),
        bnb_4bit_compute_dtype=compute_dtype,
    )


def quantize(model, scheme: str, group_size: int):
    """`model` (float, adapters merged) under `scheme`; round-to-nearest schemes change
    it in place, bitsandbytes schemes return a new model loaded from its weights."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown quantization scheme {scheme!r} (known: {', '.join(SCHEMES)})")
    if scheme.startswith("bnb-"):
        # LLM.int8() computes on fp16 inputs; bitsandbytes logs that cast at every matmul
        logging.getLogger("bitsandbytes.autograd._functions").setLevel(logging.ERROR)

        with tempfile.TemporaryDirectory() as folder:
            model.save_pretrained(folder)
            return type(model).from_pretrained(  # a causal LM, or an embedder's backbone
                folder,
                dtype=model.dtype,
                quantization_config=bnb_config(scheme, model.dtype),
                device_map=str(model.device),
            )
    with torch.no_grad():
        for linear in quantized_linears(model):
            if scheme == "rtn-int8":
                linear.weight.copy_(rtn_int8(linear.weight.float()))
            else:
                linear.weight.copy_(rtn_int4(linear.weight.float(), group_size))
    return model
