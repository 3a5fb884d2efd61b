"""The retrieval track: BEIR data and its errors, the metrics against scikit-learn, the
InfoNCE loss against a per-query computation, and the unlearning objectives."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from sklearn.metrics import ndcg_score

from unlearnflow.embeddings import EmbeddingError
from unlearnflow.retrieval.data import (
    RetrievalData,
    RetrievalDataError,
    write_retrieval_data,
)
from unlearnflow.retrieval.methods import Batch, info_nce, make_retrieval_method
from unlearnflow.retrieval.metrics import ndcg_at_k, recall_at_k


def test_recall_and_ndcg_match_scikit_learn_and_their_definitions():
    documents = [f"d{i}" for i in range(8)]
    relevance = {"d1": 2, "d4": 1, "d6": 1}
    scores = np.array([0.9, 0.1, 0.8, 0.7, 0.5, 0.3, 0.2, 0.05])  # no ties
    ranked = [documents[i] for i in np.argsort(-scores)]
    truth = np.array([[relevance.get(d, 0) for d in documents]])
    for k in (1, 3, 5, 8):
        assert ndcg_at_k(ranked, relevance, k) == pytest.approx(ndcg_score(truth, [scores], k=k))
    # by hand: d4, d6 and d1 rank 4th, 6th and 7th
    assert recall_at_k(ranked, relevance, 3) == 0.0
    assert recall_at_k(ranked, relevance, 6) == pytest.approx(2 / 3)
    assert recall_at_k(ranked, relevance, 7) == 1.0
    ideal = 2 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(ranked, relevance, 8) == pytest.approx(
        (1 / math.log2(5) + 1 / math.log2(7) + 2 / math.log2(8)) / ideal
    )


def test_info_nce_is_the_mean_of_per_dimension_cross_entropies():
    generator = torch.Generator().manual_seed(0)
    queries, documents = (
        torch.randn(3, 6, generator=generator),
        torch.randn(5, 6, generator=generator),
    )
    mask = torch.zeros(3, 5, dtype=torch.bool)
    mask[0, 4] = True  # document 4 is also relevant to query 0
    expected = []
    for d in (6, 2):
        q = torch.nn.functional.normalize(queries[:, :d], dim=-1)
        docs = torch.nn.functional.normalize(documents[:, :d], dim=-1)
        per_query = []
        for i in range(3):
            logits = [(q[i] @ docs[j]).item() / 0.1 for j in range(5) if not mask[i, j]]
            positive = (q[i] @ docs[i]).item() / 0.1
            per_query.append(-positive + math.log(sum(math.exp(x) for x in logits)))
        expected.append(sum(per_query) / 3)
    loss = info_nce(queries, documents, mask, [6, 2], temperature=0.1)
    assert loss.item() == pytest.approx(sum(expected) / 2, rel=1e-5)
    with pytest.raises(EmbeddingError, match="retrieval.dimensions: \\[8\\]"):
        info_nce(queries, documents, mask, [8], temperature=0.1)


def test_the_objectives_push_forget_queries_away_and_keep_the_retain_term():
    forget_loss, retain_loss = torch.tensor(2.0, requires_grad=True), torch.tensor(0.5)
    queries = torch.tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True)
    target = torch.tensor([1.0, 0.0])
    batch = Batch(queries, forget_loss, retain_loss, target, [2])
    assert make_retrieval_method("ga", {"lr": 1, "epochs": 1}).loss(batch).item() == -2.0
    gd = make_retrieval_method("gd", {"lr": 1, "epochs": 1, "retain_weight": 2.0})
    assert gd.loss(batch).item() == pytest.approx(-2.0 + 2 * 0.5)
    random_target = make_retrieval_method(
        "random_target", {"lr": 1, "epochs": 1, "retain_weight": 1.0}
    )
    # cosine distance to the target: 0 for the first query, 1 for the second
    assert random_target.loss(batch).item() == pytest.approx(0.5 + 0.5)


def write_beir(folder, qrels_rows):
    (folder / "qrels").mkdir(parents=True)
    corpus = [{"_id": f"d{i}", "title": "", "text": f"document {i}"} for i in range(4)]
    queries = [{"_id": f"q{i}", "text": f"query {i}"} for i in range(4)]
    (folder / "corpus.jsonl").write_text("".join(json.dumps(r) + "\n" for r in corpus))
    (folder / "queries.jsonl").write_text("".join(json.dumps(r) + "\n" for r in queries))
    header = "query-id\tcorpus-id\tscore\n"
    (folder / "qrels/train.tsv").write_text(header + "".join(f"{r}\n" for r in qrels_rows))
    (folder / "qrels/test.tsv").write_text(header + "q3\td3\t1\n")


def outputs(folder):
    names = {"corpus": "corpus.jsonl", "queries": "queries.jsonl", "train": "train.tsv",
             "test": "test.tsv", "forget": "forget.json"}  # fmt: skip
    return {key: folder / "out" / name for key, name in names.items()}


def test_a_beir_folder_gives_its_forget_documents_and_their_queries(tmp_path):
    write_beir(tmp_path / "beir", ["q0\td0\t1", "q1\td1\t1", "q2\td2\t1"])
    write_retrieval_data(
        str(tmp_path / "beir"), forget_share=0.34, seed=0, output=outputs(tmp_path)
    )
    data = RetrievalData(outputs(tmp_path))
    assert len(data.forget) == 1
    ((forget_query, forget_document),) = data.pairs("train", forget=True)
    assert forget_document in data.forget
    assert (forget_query, forget_document) in data.pairs("test")  # measured where it was asked
    assert ("q3", "d3") in data.pairs("test", forget=False)


def test_a_qrels_row_naming_an_unknown_document_names_the_file_and_row(tmp_path):
    write_beir(tmp_path / "beir", ["q0\td0\t1", "q1\td9\t1"])
    with pytest.raises(RetrievalDataError, match=r"qrels/train.tsv, row 3: unknown document 'd9'"):
        write_retrieval_data(
            str(tmp_path / "beir"), forget_share=0.5, seed=0, output=outputs(tmp_path)
        )
    assert not (tmp_path / "out").exists()
