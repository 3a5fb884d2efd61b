"""RMU, representation misdirection: scramble the forget set's activations at one layer,
keep the retain set's.

L = mean_t ‖h_ℓ(x_f)_t − c·u‖² / d + alpha · mean_t ‖h_ℓ(x_r)_t − h_ℓ^ref(x_r)_t‖² / d,
h_ℓ the output of decoder layer `layer` (0-based) at every real token t of a batch's
rows, d the hidden size, u a fixed random unit vector (uniform entries, normalised,
drawn from `seed`) and h^ref the frozen model's activations; only the MLPs of the
`trained_layers` layers ending at `layer` train (Li et al. 2024, "The WMDP benchmark:
measuring and reducing malicious use with unlearning"; its Zephyr-7B defaults: layer
7, layers 5-7, c 6.5, alpha 1200). Under LoRA the adapter sits on those MLPs only;
under `training.unlearn.full` their weights train in full, as in the paper.
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import Method


@dataclass(frozen=True)
class RepresentationMisdirection(Method):
    name = "rmu"
    paper = "Li et al. 2024"
    positive = ("steering",)
    uses_reference = True
    layer: int = 7
    trained_layers: int = 3
    steering: float = 6.5
    alpha: float = 1200.0
    seed: int = 0

    def __post_init__(self):
        if self.layer < 0 or not 1 <= self.trained_layers <= self.layer + 1:
            raise ValueError(
                f"rmu: need 0 <= layer and 1 <= trained_layers <= layer + 1,"
                f" not layer {self.layer}, trained_layers {self.trained_layers}"
            )

    def trained_modules(self, config) -> str:
        if self.layer >= config.num_hidden_layers:
            raise ValueError(
                f"rmu: layer {self.layer} does not exist; the model has"
                f" {config.num_hidden_layers} layers (0 to {config.num_hidden_layers - 1})"
            )
        first = self.layer - self.trained_layers + 1
        layers = "|".join(str(index) for index in range(first, self.layer + 1))
        return rf".*\.layers\.({layers})\.mlp\.\w+_proj"

    def direction(self, size: int, device):
        """c·u: the random unit vector of `seed`, scaled by `steering`."""
        import torch

        u = torch.rand(size, generator=torch.Generator().manual_seed(self.seed))
        return (self.steering * u / u.norm()).to(device)

    def loss(self, model, forget, retain, reference):
        import torch

        forget_states = layer_states(model, forget, self.layer)
        target = self.direction(forget_states.shape[-1], forget_states.device)
        loss = (forget_states - target).pow(2).mean()
        retain_states = layer_states(model, retain, self.layer)
        with torch.no_grad(), reference():
            frozen = layer_states(model, retain, self.layer)
        return loss + self.alpha * (retain_states - frozen).pow(2).mean()


def layer_states(model, batch: dict, layer: int):
    """The output of decoder layer `layer` at every real (unpadded) token of the rows,
    in float32: (tokens, hidden size)."""
    from ..scoring import decoder_and_head, row_states

    decoder, _ = decoder_and_head(model)
    captured = []
    hook = decoder.layers[layer].register_forward_hook(
        lambda module, inputs, output: captured.append(
            output[0] if isinstance(output, tuple) else output
        )
    )
    try:
        row_states(decoder, batch)
    finally:
        hook.remove()
    return captured[0][batch["attention_mask"].bool()].float()
