"""lm-evaluation-harness as the general utility evaluator: its accuracy on a task of our
own equals the one computed here from the model's log-likelihoods (the workflow's use of
it: tests/test_workflow.py)."""

import pytest
import torch
from harness_task import DOCUMENTS, PROMPT, TASK, task_folder

from unlearnflow.harness import run_harness

OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


def choice_logprob(model, tokenizer, context: str, continuation: str) -> float:
    """log p(continuation | context), the harness's loglikelihood request."""
    context_ids = tokenizer(context, add_special_tokens=False)["input_ids"]
    whole = tokenizer(context + continuation, add_special_tokens=False)["input_ids"]
    ids = torch.tensor([whole])
    with torch.no_grad():
        logprobs = model(ids).logits.float().log_softmax(-1)[0]
    return sum(logprobs[i - 1, whole[i]].item() for i in range(len(context_ids), len(whole)))


def test_harness_accuracy_is_the_models_own(tiny_model, tmp_path, monkeypatch):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    for key, value in OFFLINE.items():
        monkeypatch.setenv(key, value)
    model = AutoModelForCausalLM.from_pretrained(tiny_model).eval()
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    settings = {"tasks": [TASK], "include_path": str(task_folder(tmp_path / "tasks"))}
    tasks = run_harness(model, tokenizer, settings, batch_size=4, seed=0)
    per_document = tasks[TASK]["acc"]["per_document"]
    expected = []
    for document in DOCUMENTS:
        context = PROMPT.format(question=document["question"])
        scores = [choice_logprob(model, tokenizer, context, f" {c}") for c in document["choices"]]
        expected.append(
            float(max(range(len(scores)), key=scores.__getitem__) == document["answer"])
        )
    assert per_document == expected
    assert tasks[TASK]["acc"]["value"] == pytest.approx(sum(expected) / len(expected))
