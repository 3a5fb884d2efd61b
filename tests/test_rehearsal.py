"""The rehearsal set: the base model's answers to exactly the general questions the
evaluation does not ask."""

import pytest
from workflow import ROOT

from unlearnflow.data.records import QA
from unlearnflow.items import tofu_items, utility_subset
from unlearnflow.jsonl import read_jsonl
from unlearnflow.rehearsal import rehearsal_set

GENERAL = {
    name: ROOT / "data" / "tofu" / f"{name}_perturbed.json"
    for name in ("real_authors", "world_facts")
}


def test_the_questions_the_evaluation_leaves_out_answered_by_the_base_model(smollm2, tmp_path):
    output = tmp_path / "rehearsal.jsonl"
    rehearsal_set(smollm2, GENERAL, 95, 0, "", output)  # 5 and 22 left out
    rows = read_jsonl(output, QA)
    for name, path in GENERAL.items():
        items = tofu_items(path)
        asked = {item.question for item in utility_subset(items, 95, 0)}
        rehearsed = [row.question for row in rows if row.category == name]
        assert sorted(rehearsed) == sorted({item.question for item in items} - asked)
    assert len(rows) == 5 + 22
    assert all(row.answer and not row.forget and not row.correlated for row in rows)


def test_nothing_left_to_rehearse_names_the_keys(tiny_model, tmp_path):
    with pytest.raises(ValueError, match="evaluation.utility_items takes every general"):
        rehearsal_set(tiny_model, GENERAL, 0, 0, "", tmp_path / "r.jsonl")
