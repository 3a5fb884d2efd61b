"""Representation drift and the logit lens: is forgotten knowledge gone, or only hidden?

Hidden states are transformers' `output_hidden_states`: layer 0 is the embedding
output, layer i the output of block i, and the last layer is taken after the final
norm (what the unembedding reads).

- Drift, per layer, of a model's pooled question states from a reference model's
  (the fine-tuned and the gold model): cosine similarity, ‖Δh‖, and ‖W_U·Δh‖, the
  change as the unembedding W_U sees it. Pooling: the mean over the question's own
  tokens, or the last prompt token (the state that predicts the answer).
- Answer states, per layer: the mean of a model's states over an answer's tokens after
  the question, for each forget item's paraphrased answer and each of its wrong answers:
  what the linear probes read (probes.py).
- Logit lens (nostalgebraist 2020, "interpreting GPT: the logit lens"): each layer's
  states at the positions that predict the forget answer, through the final norm and
  the unembedding; per item the length-normalised answer probability, exp(mean log p)
  (TOFU's Prob), read off that layer. At the last layer it is the model's own.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import torch

from .data.encoding import answer_ids, prompt_ids
from .data.records import QA, WrongDetails
from .items import qa_items
from .jsonl import read_jsonl, write_json
from .scoring import decoder_and_head
from .token_logprobs import token_logprobs

log = logging.getLogger(__name__)


class LayerError(ValueError):
    """`representation.layers` names a layer the model does not have."""


def layer_indices(spec, num_layers: int, key: str = "representation.layers") -> list[int]:
    """Layer numbers from `all` or a list of numbers, `middle` and `last` (config key
    `key`); 0 is the embedding output, `num_layers` the last block's output."""
    if spec == "all":
        return list(range(num_layers + 1))
    named = {"middle": num_layers // 2, "last": num_layers}
    layers = []
    for entry in spec:
        layer = named.get(entry, entry)
        if not isinstance(layer, int) or not 0 <= layer <= num_layers:
            raise LayerError(
                f"config key {key}: {entry!r} is not 'middle', 'last' or a"
                f" layer number from 0 to {num_layers}"
            )
        layers.append(layer)
    return sorted(set(layers))


def question_span(
    tokenizer, question: str, system_prompt: str | None
) -> tuple[list[int], int, int]:
    """A question's prompt tokens and the [start, end) of the question's own tokens in
    them (what the chat format adds around it, found against an empty question)."""
    prompt = prompt_ids(tokenizer, question, system_prompt)
    empty = prompt_ids(tokenizer, "", system_prompt)
    start = 0
    while start < min(len(prompt), len(empty)) and prompt[start] == empty[start]:
        start += 1
    end = len(prompt)
    while (
        end > start
        and len(prompt) - end < len(empty) - start
        and (prompt[end - 1] == empty[len(empty) - (len(prompt) - end) - 1])
    ):
        end -= 1
    return prompt, start, end


def _padded(rows: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(row) for row in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for n, row in enumerate(rows):
        ids[n, : len(row)] = torch.tensor(row)
        mask[n, : len(row)] = 1
    return ids, mask


@torch.inference_mode()
def question_states(
    model, tokenizer, questions, system_prompt, layers, pooling: str, batch_size: int
) -> torch.Tensor:
    """Pooled states of each question at each of `layers`: [layers, questions, hidden]."""
    spans = [question_span(tokenizer, q, system_prompt) for q in questions]
    pooled = []
    for first in range(0, len(spans), batch_size):
        part = spans[first : first + batch_size]
        ids, mask = _padded([prompt for prompt, _, _ in part], tokenizer.pad_token_id)
        device = model.device
        states = model(
            input_ids=ids.to(device), attention_mask=mask.to(device), output_hidden_states=True
        ).hidden_states
        weights = torch.zeros(ids.shape, device=device)
        for n, (prompt, start, end) in enumerate(part):
            if pooling == "mean":
                weights[n, start:end] = 1 / (end - start)
            else:
                weights[n, len(prompt) - 1] = 1
        per_layer = [torch.einsum("bt,bth->bh", weights, states[i].float()) for i in layers]
        pooled.append(torch.stack(per_layer))
    return torch.cat(pooled, dim=1).float().cpu()


def drift(states: torch.Tensor, reference: torch.Tensor, unembedding: torch.Tensor) -> dict:
    """Per layer, the mean over questions of cos(h, h_ref), ‖h - h_ref‖ and
    ‖W_U (h - h_ref)‖, and under `items` each question's value ([layer][question]);
    `states` and `reference` are [layers, questions, hidden]."""
    delta = states - reference
    per_question = {
        "cosine": torch.cosine_similarity(states, reference, dim=-1),
        "delta_norm": delta.norm(dim=-1),
        "unembedded_delta_norm": (delta @ unembedding.T).norm(dim=-1),
    }
    means = {name: values.mean(-1).tolist() for name, values in per_question.items()}
    return {**means, "items": {name: values.tolist() for name, values in per_question.items()}}


def _answer_passes(model, tokenizer, qa_pairs, system_prompt, batch_size: int):
    """Per batch of (question, answer) pairs: (prompt ids, answer ids, the model's hidden
    states of every layer) over the prompts followed by their answers."""
    for first in range(0, len(qa_pairs), batch_size):
        part = qa_pairs[first : first + batch_size]
        prompts = [prompt_ids(tokenizer, q, system_prompt) for q, _ in part]
        answers = [answer_ids(tokenizer, a) for _, a in part]
        ids, mask = _padded(
            [p + a for p, a in zip(prompts, answers, strict=True)], tokenizer.pad_token_id
        )
        states = model(
            input_ids=ids.to(model.device),
            attention_mask=mask.to(model.device),
            output_hidden_states=True,
        ).hidden_states
        yield prompts, answers, states


@torch.inference_mode()
def answer_states(model, tokenizer, qa_pairs, system_prompt, layers, batch_size: int):
    """Per layer, per (question, answer): the mean of the states at the answer's tokens,
    [layers, pairs, hidden]."""
    pooled = []
    for prompts, answers, states in _answer_passes(
        model, tokenizer, qa_pairs, system_prompt, batch_size
    ):
        weights = torch.zeros(states[0].shape[:2], device=model.device)
        for n, (prompt, answer) in enumerate(zip(prompts, answers, strict=True)):
            weights[n, len(prompt) : len(prompt) + len(answer)] = 1 / len(answer)
        pooled.append(
            torch.stack([torch.einsum("bt,bth->bh", weights, states[i].float()) for i in layers])
        )
    return torch.cat(pooled, dim=1).cpu()


@torch.inference_mode()
def logit_lens(model, tokenizer, qa_pairs, system_prompt, layers, batch_size: int) -> list[list]:
    """Per layer, per (question, answer): exp(mean log p) of the answer's tokens read
    off that layer's states through the final norm and the unembedding."""
    decoder, head = decoder_and_head(model)
    norm = decoder.norm
    last = model.config.num_hidden_layers
    lens = [[] for _ in layers]
    for prompts, answers, states in _answer_passes(
        model, tokenizer, qa_pairs, system_prompt, batch_size
    ):
        device = model.device
        rows = torch.cat([torch.full((len(a),), n) for n, a in enumerate(answers)])
        positions = torch.cat(
            [
                torch.arange(len(p) - 1, len(p) + len(a) - 1)
                for p, a in zip(prompts, answers, strict=True)
            ]
        )
        targets = torch.cat([torch.tensor(a) for a in answers]).to(device)
        for slot, layer in enumerate(layers):
            hidden = states[layer][rows.to(device), positions.to(device)]
            if layer != last:
                hidden = norm(hidden)
            logprobs = token_logprobs(hidden, head, targets).float().cpu()
            means = torch.zeros(len(answers)).index_add(0, rows, logprobs)
            lens[slot] += (means / torch.tensor([len(a) for a in answers])).exp().tolist()
    return lens


def _loaded(base: Path, stages: list[Path], precision: str):
    """(tokenizer, model in eval mode) of the base model with `stages` applied."""
    from transformers import AutoTokenizer

    from .models import load_stack

    return AutoTokenizer.from_pretrained(base), load_stack(base, stages, precision).eval()


def _question_sets(forget: Path, retain: Path) -> dict[str, list[QA]]:
    return {"forget": read_jsonl(forget, QA), "retain": read_jsonl(retain, QA)}


def split_states(model, tokenizer, questions, settings: dict, system_prompt) -> tuple[list, dict]:
    """(layers, {split: pooled states [layers, questions, hidden]}) of a loaded model."""
    layers = layer_indices(settings["layers"], model.config.num_hidden_layers)
    states = {
        split: question_states(
            model,
            tokenizer,
            [qa.question for qa in rows],
            system_prompt,
            layers,
            settings["pooling"],
            settings["batch_size"],
        )
        for split, rows in questions.items()
    }
    return layers, states


def reference_states(
    base: Path,
    stages: list[Path],
    forget: Path,
    retain: Path,
    settings: dict,
    system_prompt: str | None,
    output: Path,
    precision: str = "float32",
) -> None:
    """A reference model's pooled question states, saved once for every model's drift."""
    from safetensors.torch import save_file

    tokenizer, model = _loaded(base, stages, precision)
    layers, states = split_states(
        model, tokenizer, _question_sets(forget, retain), settings, system_prompt
    )
    save_file(states, str(output), metadata={"layers": json.dumps(layers)})


def load_reference_states(path: Path, layers: list[int]) -> dict[str, torch.Tensor]:
    from safetensors.torch import safe_open

    with safe_open(str(path), framework="pt") as states:
        saved = json.loads(states.metadata()["layers"])
        if saved != layers:
            raise ValueError(f"{path}: states of layers {saved}, but the model's are {layers}")
        splits = states.keys()  # a safetensors file is not iterable
        return {split: states.get_tensor(split) for split in splits}


def save_answer_states(
    model, tokenizer, items, layers_spec, system_prompt, batch_size: int, output: Path
) -> None:
    """The answer states of `items` at the layers of `layers_spec` (config key
    probes.layers), for the linear probes: each forget item's paraphrased answer, then
    its wrong answers, which are perturbations of the paraphrase (TOFU's design): the
    true and the wrong answers share their wording but for the facts."""
    from .probes import AnswerStates

    layers = layer_indices(layers_spec, model.config.num_hidden_layers, "probes.layers")
    pairs = [
        (i.question, answer) for i in items for answer in (i.paraphrased_answer, *i.wrong_answers)
    ]
    AnswerStates(
        layers=layers,
        item_ids=[item.item_id for item in items],
        wrong=[len(item.wrong_answers) for item in items],
        states=answer_states(model, tokenizer, pairs, system_prompt, layers, batch_size).numpy(),
    ).save(output)


def representation_drift(
    base: Path,
    stages: list[Path],
    references: dict[str, Path],
    forget: Path,
    retain: Path,
    settings: dict,
    system_prompt: str | None,
    output: Path,
    precision: str = "float32",
    probes: dict | None = None,
) -> None:
    """Drift of the model (base + `stages`) from each reference model (name -> its saved
    states) on the forget and retain questions, and its logit lens on the forget answers;
    with `probes` (`layers`, the `wrong_details` file, the `output` path), the answer
    states of the forget items."""
    start = time.perf_counter()
    tokenizer, model = _loaded(base, stages, precision)
    if probes:
        details = {row.qa_id: row for row in read_jsonl(probes["wrong_details"], WrongDetails)}
        save_answer_states(
            model,
            tokenizer,
            qa_items(forget, details),
            probes["layers"],
            system_prompt,
            settings["batch_size"],
            probes["output"],
        )
    questions = _question_sets(forget, retain)
    layers, own = split_states(model, tokenizer, questions, settings, system_prompt)
    lens = logit_lens(
        model,
        tokenizer,
        [(qa.question, qa.answer) for qa in questions["forget"]],
        system_prompt,
        layers,
        settings["batch_size"],
    )
    unembedding = model.get_output_embeddings().weight.detach().float().cpu()
    saved = {name: load_reference_states(path, layers) for name, path in references.items()}
    result = {
        "layers": layers,
        "pooling": settings["pooling"],
        "drift": {
            split: {
                name: drift(own[split], states[split], unembedding)
                for name, states in saved.items()
            }
            for split in questions
        },
        "logit_lens": {
            "forget_ids": [qa.qa_id for qa in questions["forget"]],
            "answer_prob": [sum(values) / len(values) for values in lens],
            "items": lens,
        },
        "seconds": time.perf_counter() - start,
    }
    write_json(output, result)
    log.info("representation drift in %.1f s over %d layers", result["seconds"], len(layers))
