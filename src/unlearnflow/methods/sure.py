"""SURE: saliency-based unlearning, the update confined to the output neurons that the
forget set moves most.

For every output neuron i of every trained linear layer, s_i = ‖∂NLL(forget)/∂W_i‖₂
(the norm of its weight row's gradient, at the fine-tuned model); the neurons whose s
is in the top `keep_fraction` over all layers form the mask m, and the base method
(`ga`, `gd` or `npo`, with `beta` and `retain_weight` as those methods have them)
trains with its gradient multiplied by m: θ ← θ − lr · m ⊙ ∇L_base (Zhang et al. 2024,
"Does your LLM truly unlearn? An embarrassingly simple approach to recover unlearned
knowledge", after SalUn, Fan et al. 2024, whose default keeps half). Updates that are
few and large survive quantization where small dense ones round away. Under LoRA the
mask holds the rows of each adapter's B, so ΔW = B·A changes the kept neurons only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import Method
from .ga import GradientAscent
from .gd import GradientDifference
from .npo import NegativePreferenceOptimization

BASES = ("ga", "gd", "npo")


@dataclass(frozen=True)
class SaliencyUnlearning(Method):
    name = "sure"
    paper = "Zhang et al. 2024"
    positive = ("keep_fraction", "beta")
    base: str = "gd"
    keep_fraction: float = 0.5
    beta: float = 0.1
    retain_weight: float = 1.0

    def __post_init__(self):
        if self.base not in BASES:
            raise ValueError(f"sure: base must be one of {', '.join(BASES)}, not {self.base!r}")
        if not 0 < self.keep_fraction <= 1:
            raise ValueError(f"sure: keep_fraction must lie in (0, 1], not {self.keep_fraction}")

    @property
    def base_method(self) -> Method:
        """The method whose update the mask confines."""
        if self.base == "npo":
            return NegativePreferenceOptimization(self.beta, self.retain_weight)
        if self.base == "gd":
            return GradientDifference(self.retain_weight)
        return GradientAscent()

    @property
    def uses_retain(self) -> bool:
        return self.base_method.uses_retain

    @property
    def uses_reference(self) -> bool:
        return self.base_method.uses_reference

    def prepare(self, model, forget_batches):
        import torch

        from .saliency import forget_gradients, linear_layers, weight

        layers = [layer for layer in linear_layers(model).values() if _trained(layer)]
        gradients = forget_gradients(model, forget_batches, [weight(layer) for layer in layers])
        norms = [gradient.norm(dim=1) for gradient in gradients]
        everything = torch.cat(norms)
        kept = max(1, round(self.keep_fraction * everything.numel()))
        threshold = everything.topk(kept).values[-1]
        for layer, norm in zip(layers, norms, strict=True):
            kept_rows = (norm >= threshold).to(norm.dtype)
            for parameter in _row_parameters(layer):
                rows = kept_rows.view(-1, *[1] * (parameter.dim() - 1))
                parameter.register_hook(lambda grad, rows=rows: grad * rows)

    def loss(self, model, forget, retain, reference):
        return self.base_method.loss(model, forget, retain, reference)


def _trained(layer) -> bool:
    return any(parameter.requires_grad for parameter in layer.parameters())


def _row_parameters(layer) -> list:
    """The trained parameters whose rows (first axis) are the layer's output neurons."""
    if hasattr(layer, "lora_B"):
        return [linear.weight for linear in layer.lora_B.values()]
    return [parameter for parameter in (layer.weight, layer.bias) if parameter is not None]
