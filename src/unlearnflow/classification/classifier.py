"""An embedding model with an MLP head over its pooled embedding: the classifier of the
"Qwen3-Embedding-0.6B unlearning checkpoints" study (pymlex/qwen3-embedding-0.6b-unlearning,
models/classifier.py), over any backbone `embeddings.Embedder` reads.

A saved classifier is a folder: `embedder/` (the backbone as a plain Hugging Face
folder, a LoRA adapter merged in), `head.safetensors` and `classifier.json` (its
classes, pooling, maximum length and head width)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from ..atomic import whole_directory
from ..embeddings import Embedder, save_embedder


class EmbeddingClassifier(torch.nn.Module):
    def __init__(self, embedder: Embedder, classes: list[str], head_hidden: int):
        super().__init__()
        self.embedder, self.classes, self.head_hidden = embedder, list(classes), head_hidden
        self.head = torch.nn.Sequential(
            torch.nn.Linear(embedder.width, head_hidden),
            torch.nn.GELU(),
            torch.nn.Linear(head_hidden, len(classes)),
        )

    @classmethod
    def fresh(
        cls, backbone: Path, classes, pooling: str, max_length: int, head_hidden: int, seed: int
    ):
        """The backbone at `backbone` under a new head drawn from `seed`."""
        torch.manual_seed(seed)
        return cls(Embedder(backbone, pooling, max_length), classes, head_hidden)

    @classmethod
    def load(cls, folder: Path) -> EmbeddingClassifier:
        from safetensors.torch import load_file

        folder = Path(folder)
        settings = json.loads((folder / "classifier.json").read_text())
        embedder = Embedder(folder / "embedder", settings["pooling"], settings["max_length"])
        model = cls(embedder, settings["classes"], settings["head_hidden"])
        model.head.load_state_dict(load_file(folder / "head.safetensors"))
        return model

    def forward(self, texts: list[str]) -> torch.Tensor:
        """Logits [batch, classes], in float32."""
        return self.head(self.embedder(texts)).float()

    def save(self, output: Path) -> None:
        from safetensors.torch import save_file

        settings = {
            "classes": self.classes,
            "pooling": self.embedder.pooling,
            "max_length": self.embedder.max_length,
            "head_hidden": self.head_hidden,
        }
        with whole_directory(output) as folder:
            save_embedder(self.embedder, folder / "embedder")
            head = {name: value.contiguous() for name, value in self.head.state_dict().items()}
            save_file(head, folder / "head.safetensors")
            (folder / "classifier.json").write_text(json.dumps(settings, indent=1) + "\n")
