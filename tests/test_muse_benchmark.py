"""MUSE as the run's benchmark: imported from a folder of its tables (a fixture in its
published schema), trained on as raw text, scored by MUSE's metrics (checked against an
independent computation) and run through the workflow."""

import json

import numpy as np
import pytest
from muse_fixture import muse_folder
from rouge_score import rouge_scorer
from sklearn.metrics import roc_auc_score
from workflow import (
    planned_jobs,
    planned_offline_once_imported,
    snakemake,
    tiny_config,
    write_config,
)

from unlearnflow.benchmarks import MUSE_FILES
from unlearnflow.benchmarks.muse import import_benchmark
from unlearnflow.benchmarks.source import SourceError
from unlearnflow.data.encoding import encode_text, text_chunks
from unlearnflow.data.records import QA, Continuation, Passage
from unlearnflow.jsonl import read_jsonl
from unlearnflow.scoring import IGNORE


def muse_settings(source) -> dict:
    return {"name": "muse", "source": str(source), "retain_split": "retain1", "max_length": 32}


def outputs(folder) -> dict:
    paths = {key: folder / path for key, path in MUSE_FILES.items()}
    return {**paths, "report": folder / "data" / "validation_report.json"}


def test_import_writes_the_workflow_data_files(tmp_path):
    source = muse_folder(tmp_path / "muse")
    report = import_benchmark(muse_settings(source), outputs(tmp_path))
    forget = read_jsonl(tmp_path / "data" / "sf.jsonl", Passage)
    retain = read_jsonl(tmp_path / "data" / "sr.jsonl", Passage)
    published = [json.loads(line)["text"] for line in (source / "raw" / "retain1.json").open()]
    assert [row.text for row in retain] == published
    assert len(forget) == 3
    verbatim = read_jsonl(tmp_path / "data" / "verbmem.jsonl", Continuation)
    first = json.loads((source / "verbmem" / "forget.json").open().readline())
    assert (verbatim[0].prompt, verbatim[0].continuation) == (first["prompt"], first["gt"])
    knowledge = read_jsonl(tmp_path / "data" / "knowmem_forget.jsonl", QA)
    assert all(row.forget for row in knowledge) and len(knowledge) == 3
    assert report["counts"]["privleak_holdout"] == 2


def test_a_missing_field_names_file_row_and_field(tmp_path):
    source = muse_folder(tmp_path / "muse")
    table = source / "verbmem" / "forget.json"
    rows = [json.loads(line) for line in table.open()]
    del rows[1]["gt"]
    table.write_text("".join(json.dumps(row) + "\n" for row in rows))
    with pytest.raises(SourceError, match=r"verbmem/forget.json, row 2: gt: Field required"):
        import_benchmark(muse_settings(source), outputs(tmp_path))
    assert not (tmp_path / "data" / "sf.jsonl").exists()


def test_raw_text_is_chunked_and_trained_on_every_token_but_the_first(tiny_model):
    """open-unlearning's PretrainingDataset: the corpus joined by blank lines, cut every
    `max_length` tokens; each chunk's labels are its tokens, less the first."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    texts = ["The flood closed nine streets.", "A festival opened on Friday in Frome."]
    joined = tokenizer("\n\n".join(texts), add_special_tokens=False)["input_ids"]
    chunks = text_chunks(tokenizer, texts, 5)
    assert len(chunks) == -(-len(joined) // 5)
    assert "".join(chunks) == tokenizer.decode(joined)
    example = encode_text(tokenizer, chunks[0], 5)
    assert example["labels"][0] == IGNORE and example["labels"][1:] == example["input_ids"][1:]


@pytest.mark.parametrize(
    "benchmark, overrides, said",
    [
        (
            {"retain_split": "retain3"},
            {},
            "config key benchmark.retain_split: 'retain3' is none of retain1, retain2",
        ),
        ({}, {"rehearsal": True}, "config key training.finetune.rehearsal: muse trains on raw"),
        (
            {"max_length": 0},
            {},
            "config key benchmark.max_length: 0 is not a positive number of tokens (MUSE's",
        ),
    ],
)
def test_bad_muse_settings_name_the_key(tmp_path, tiny_model, benchmark, overrides, said):
    source = muse_folder(tmp_path / "muse")
    config = muse_config(tiny_model, source, **benchmark)
    config["training"]["finetune"].update(overrides)
    write_config(tmp_path, config)
    result = snakemake(tmp_path, "-n")
    assert result.returncode != 0
    assert said in result.stdout + result.stderr
    assert not (tmp_path / "data").exists()


def muse_config(tiny_model, folder, **benchmark) -> dict:
    config = tiny_config(base=str(tiny_model))
    config["seeds"] = [0]
    config["benchmark"] = {**muse_settings(folder), **benchmark}
    config["training"]["finetune"]["rehearsal"] = False
    config["relearning"]["attacks"] = []  # built from QA
    config["probes"]["layers"] = []  # so are the probes
    config["unlearn"] = {"npo": {"lr": [1.0e-4], "epochs": [1], "beta": [0.1]}}
    return config


def token_logprobs(model, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """log p of every token after the first given the ones before, and whether each is
    the model's most likely token: one plain forward pass."""
    import torch

    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0, :-1].float()
    targets = torch.tensor(ids[1:])
    logprobs = torch.log_softmax(logits, -1)[torch.arange(len(targets)), targets]
    return logprobs.numpy(), (logits.argmax(-1) == targets).numpy()


def greedy(model, tokenizer, prompt: str, new_tokens: int) -> str:
    import torch

    ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        out = model.generate(ids, max_new_tokens=new_tokens, do_sample=False)
    return tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True).strip()


def test_muse_metrics_match_an_independent_computation(tmp_path, tiny_model):
    """Each MUSE metric of the evaluator, recomputed from the model's own forward passes
    and `generate`, with rouge_score and scikit-learn: verbmem ROUGE-L F1 and extraction
    strength, knowmem ROUGE-L F1 after the in-context examples, Min-K% AUC."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from unlearnflow.benchmarks.muse_evaluation import evaluate_muse

    source = muse_folder(tmp_path / "muse")
    import_benchmark(muse_settings(source), outputs(tmp_path))
    data = {
        role: tmp_path / path
        for role, path in MUSE_FILES.items()
        if role not in ("forget", "retain")
    }
    settings = {"batch_size": 4, "mia_k": 0.4, "text_tokens": 64}
    evaluate_muse(tiny_model, [], data, settings, tmp_path / "eval.json")
    result = json.loads((tmp_path / "eval.json").read_text())

    model = AutoModelForCausalLM.from_pretrained(tiny_model).eval()
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)

    for row, item in zip(
        read_jsonl(data["verbmem"], Continuation),
        result["splits"]["forget_verbmem"]["items"],
        strict=True,
    ):
        generation = greedy(model, tokenizer, row.prompt, 128)
        assert item["generation"] == generation
        expected = scorer.score(row.continuation, generation)["rougeL"].fmeasure
        assert item["rouge_l_f1"] == pytest.approx(expected)
        prompt = tokenizer(row.prompt)["input_ids"]
        whole = tokenizer(f"{row.prompt} {row.continuation}")["input_ids"][: len(prompt) + 64]
        _, hits = token_logprobs(model, whole)
        hits = hits[len(prompt) - 1 :]
        misses = np.flatnonzero(~hits)
        k = min(misses[-1] + 1, len(hits) - 1) if len(misses) else 0
        assert item["extraction_strength"] == pytest.approx(1 - k / len(hits))

    examples = read_jsonl(data["knowmem_forget_icl"], QA)
    shots = "".join(f"Question: {qa.question}\nAnswer: {qa.answer}\n\n" for qa in examples)
    for row, item in zip(
        read_jsonl(data["knowmem_forget"], QA),
        result["splits"]["forget_knowmem"]["items"],
        strict=True,
    ):
        generation = greedy(model, tokenizer, f"{shots}Question: {row.question}\nAnswer: ", 32)
        for stop in ("\n\n", "\nQuestion", "Question:"):
            generation = generation.split(stop)[0]
        expected = scorer.score(row.answer, generation.strip())["rougeL"].fmeasure
        assert item["rouge_l_f1"] == pytest.approx(expected)

    def min_k(passage: Passage) -> float:
        logprobs, _ = token_logprobs(model, tokenizer(passage.text)["input_ids"][: 1 + 64])
        lowest = np.sort(logprobs)[: max(1, int(len(logprobs) * 0.4))]
        return -lowest.mean()

    members, nonmembers = (
        [min_k(p) for p in read_jsonl(data[role], Passage)]
        for role in ("privleak_forget", "privleak_holdout")
    )
    labels = [0] * len(members) + [1] * len(nonmembers)
    expected_auc = roc_auc_score(labels, members + nonmembers)
    assert result["mia"]["auc"]["min_k"] == pytest.approx(expected_auc)


@pytest.mark.workflow
def test_the_workflow_runs_on_muse(tmp_path, tiny_model):
    """The whole DAG on the fixture: import, fine-tuning and the gold model on raw text,
    one sweep point, MUSE's evaluation, quantization, drift on the knowledge questions,
    tables, figures and the report."""
    source = muse_folder(tmp_path / "muse")
    write_config(tmp_path, muse_config(tiny_model, source))
    result = snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {
        row["model"]: row
        for row in json.loads((tmp_path / "results" / "sweep_results.json").read_text())
    }
    point = "seed~0/unlearn/npo/lr~0.0001_epochs~1_beta~0.1"
    assert set(rows) == {"base", "seed~0/finetuned", "seed~0/retain_only", point}
    for column in ("forget_verbmem_rouge_l_f1", "retain_knowmem_rouge_l_f1", "privleak"):
        assert rows[point][f"{column}_ci_low"] <= rows[point][column]
    assert "forget_quality" not in rows[point]  # no truth ratio on MUSE
    assert not (tmp_path / "results" / "tofu_logs").exists()
    train_log = json.loads((tmp_path / "results/train/seed~0/finetuned.json").read_text())
    assert train_log["steps"] >= 1 and train_log["tokens"] > 0
    sweep_table = (tmp_path / "results" / "tables" / "sweep.md").read_text()
    assert "verbmem ROUGE-L F1" in sweep_table and "forget ROUGE-L" not in sweep_table
    report = snakemake(tmp_path, "--report", "results/report.html")
    assert report.returncode == 0, report.stderr[-2000:]
    assert "benchmark <strong>muse</strong>" in (tmp_path / "results" / "report.html").read_text()


def test_shipped_muse_config_plans_offline_once_imported(tmp_path):
    """configs/muse-news.yaml names the Hub: offline, it plans once data/ holds the
    imported benchmark (here, empty stand-ins of the files)."""
    planned = planned_offline_once_imported(
        tmp_path,
        "muse-news.yaml",
        MUSE_FILES.values(),
        "benchmark.source: muse-bench/MUSE-News is a Hugging Face Hub id",
    )
    assert {"published_model", "unlearn", "evaluate"} <= planned_jobs(planned)
    assert "finetune" not in planned_jobs(planned)
