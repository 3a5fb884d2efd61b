"""The offline backend: deterministic, diverse, and the data passes the red team."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SMALL_DATA, generate_all

from unlearnflow.data.categories import CATEGORIES
from unlearnflow.data.records import QA, Fact, Profile, WrongDetails
from unlearnflow.data.template import TemplateBackend
from unlearnflow.data.text import mentions
from unlearnflow.jsonl import read_jsonl


def make(tmp_path, seed=0, data=SMALL_DATA):
    return generate_all({"name": "template", "seed": seed}, data, tmp_path)


def test_same_seed_same_files_other_seed_other_people(tmp_path):
    first = make(tmp_path / "a")
    second = make(tmp_path / "b")
    third = make(tmp_path / "c", seed=1)
    for name in first:
        assert first[name].read_bytes() == second[name].read_bytes(), name
    assert first["profiles"].read_bytes() != third["profiles"].read_bytes()


def test_same_seed_same_files_in_any_process(tmp_path):
    """Python's hash seed changes from process to process; no data file may follow it."""
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        " from conftest import SMALL_DATA, generate_all;"
        " generate_all({'name': 'template', 'seed': 0}, SMALL_DATA, Path(sys.argv[2]))"
    )
    for hash_seed in (1, 2):
        subprocess.run(
            [
                sys.executable,
                "-c",
                script,
                str(Path(__file__).parent),
                str(tmp_path / str(hash_seed)),
            ],
            env={**os.environ, "PYTHONHASHSEED": str(hash_seed)},
            check=True,
        )
    files = sorted(path.name for path in (tmp_path / "1").iterdir())
    assert len(files) == 7
    for name in files:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_counts_and_splits(tmp_path):
    paths = make(tmp_path)
    forget = read_jsonl(paths["forget"], QA)
    retain = read_jsonl(paths["retain"], QA)
    holdout = read_jsonl(paths["holdout"], QA)
    assert len(forget) == 4 and all(qa.category == "negative_incident" for qa in forget)
    assert len(retain) == 4 * 3 and not any(qa.forget for qa in retain)
    assert {qa.category for qa in retain if qa.correlated} == {"breakthrough_year_event"}
    assert len(holdout) == 2 * 4 and all(qa.person_id.startswith("h") for qa in holdout)
    trained = {qa.person_id for qa in forget + retain}
    assert trained.isdisjoint(qa.person_id for qa in holdout)


def test_correlated_fact_shares_the_incident_year(tmp_path):
    facts = read_jsonl(make(tmp_path)["facts"], Fact)
    by_person = {}
    for fact in facts:
        by_person.setdefault(fact.person_id, {})[fact.category] = fact
    for person in by_person.values():
        incident_year = person["negative_incident"].slots["incident_date"].split()[-1]
        assert incident_year in person["breakthrough_year_event"].text


def test_wrong_answers_replace_details_with_the_same_type(tmp_path):
    paths = make(tmp_path)
    wrong = {row.qa_id: row for row in read_jsonl(paths["wrong_details"], WrongDetails)}
    for qa in read_jsonl(paths["retain"], QA):
        if qa.category != "birth":
            continue
        for answer in wrong[qa.qa_id].wrong_answers:
            # the paraphrased answer's sentence, another city and another four-digit year
            name = qa.answer.split(" was born in ")[0]
            pattern = re.escape(name) + r"'s birthplace is .+, and the year was \d{4}\."
            assert re.fullmatch(pattern, answer), answer
            assert answer != wrong[qa.qa_id].paraphrased_answer


def test_diversity_unique_names_cities_occupations():
    backend = TemplateBackend(seed=3)
    people = backend.profiles(people=300, holdout_people=20)
    for field in ("name", "birth_city", "occupation"):
        values = [getattr(p, field) for p in people]
        assert len(set(values)) == len(values), field
    assert len({p.birth_country for p in people}) >= 10
    years = [p.birth_year for p in people]
    assert max(years) - min(years) >= 40


def test_forget_details_never_in_retain_facts(all_categories):
    backend = TemplateBackend(seed=5)
    people = backend.profiles(people=200, holdout_people=0)
    facts = backend.facts(people, all_categories, "negative_incident", ["breakthrough_year_event"])
    retain_texts = [f.text for f in facts if not f.forget]
    for fact in (f for f in facts if f.forget):
        for detail in fact.details:
            assert not any(mentions(text, detail) for text in retain_texts), detail


def test_every_category_renders(tmp_path, all_categories):
    data = {**SMALL_DATA, "categories": all_categories}
    paths = make(tmp_path, data=data)
    facts = read_jsonl(paths["facts"], Fact)
    assert {f.category for f in facts} == set(CATEGORIES)
    assert all("{" not in f.text for f in facts)
    assert len(read_jsonl(paths["profiles"], Profile)) == 6


@pytest.mark.parametrize(
    "name", ["profiles", "facts", "forget", "retain", "holdout", "wrong_details", "probes"]
)
def test_files_load_with_datasets(tmp_path, name):
    from datasets import load_dataset

    path = make(tmp_path)[name]
    rows = load_dataset("json", data_files=str(path), split="train")
    assert len(rows) == sum(1 for line in path.read_text().splitlines() if line)


@pytest.mark.parametrize("category", ["birth", "hobby", "language", "negative_incident"])
def test_the_wrong_answer_bound_is_what_the_backend_draws(tmp_path, category):
    """As many wrong answers as `max_wrong_answers` allows are drawn; one more is not."""
    from unlearnflow.data.categories import max_wrong_answers

    bound = max_wrong_answers(CATEGORIES[category])
    data = {
        **SMALL_DATA,
        "categories": [category, "occupation"],
        "forget_category": "occupation",
        "correlated_categories": [],
    }
    make(tmp_path / "fits", data={**data, "wrong_answers": bound})
    with pytest.raises(RuntimeError, match="cannot draw a new value"):
        make(tmp_path / "over", data={**data, "wrong_answers": bound + 1})
