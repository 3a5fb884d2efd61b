"""The red team: passes clean data, and each hard check catches its own violation."""

import json

import pytest
from conftest import SMALL_DATA, generate_all

from unlearnflow.data.validate import ValidationFailed, validate_data


@pytest.fixture
def paths(tmp_path):
    return generate_all({"name": "template", "seed": 0}, SMALL_DATA, tmp_path)


def run(paths, tmp_path, expected=SMALL_DATA):
    report = tmp_path / "report.json"
    validate_data(expected, None, report=report, **paths)
    return json.loads(report.read_text())


def edit_line(path, index, change):
    lines = path.read_text().splitlines()
    row = json.loads(lines[index])
    change(row)
    lines[index] = json.dumps(row)
    path.write_text("\n".join(lines) + "\n")


def test_clean_data_passes_with_soft_statistics(paths, tmp_path):
    report = run(paths, tmp_path)
    assert report["passed"]
    assert report["soft_checks"]["diversity"]["distinct_names"] == 1.0
    assert set(report["soft_checks"]["answer_words"]) == {"forget", "retain", "holdout"}


def test_count_mismatch(paths, tmp_path):
    with pytest.raises(ValidationFailed, match="counts: .*forget: 4 records, config asks for 5"):
        run(paths, tmp_path, expected={**SMALL_DATA, "people": 5})


def test_ungrounded_answer(paths, tmp_path):
    edit_line(paths["retain"], 0, lambda row: row.update(answer="Nobody knows."))
    with pytest.raises(ValidationFailed, match="grounded: 1 violation.*Nobody knows"):
        run(paths, tmp_path)


def test_forget_detail_in_retain_answer(paths, tmp_path):
    forget = json.loads(paths["forget"].read_text().splitlines()[0])
    facts = [json.loads(line) for line in paths["facts"].read_text().splitlines()]
    city = next(f for f in facts if f["fact_id"] == forget["fact_id"])["slots"]["incident_city"]
    edit_line(paths["retain"], 0, lambda row: row.update(answer=row["answer"] + f" Also {city}."))
    with pytest.raises(ValidationFailed, match=f"no_forget_detail_in_retain: .*{city}"):
        run(paths, tmp_path)


def test_wrong_answer_equal_to_right_one_and_repeated(paths, tmp_path):
    answer = json.loads(paths["retain"].read_text().splitlines()[0])["answer"]
    index = next(
        i
        for i, line in enumerate(paths["wrong_details"].read_text().splitlines())
        if json.loads(line)["qa_id"]
        == json.loads(paths["retain"].read_text().splitlines()[0])["qa_id"]
    )
    edit_line(
        paths["wrong_details"], index, lambda row: row.update(wrong_answers=[answer, "x", "x"])
    )
    # the right answer: it has the right answer and every detail; and "x" twice
    with pytest.raises(ValidationFailed, match="wrong_answers_distinct: 3 violation"):
        run(paths, tmp_path)


def test_duplicate_question(paths, tmp_path):
    question = json.loads(paths["retain"].read_text().splitlines()[0])["question"]
    edit_line(paths["retain"], 1, lambda row: row.update(question=question.upper()))
    with pytest.raises(ValidationFailed, match="no_duplicate_questions"):
        run(paths, tmp_path)


def test_malformed_line_stops_with_file_and_line(paths, tmp_path):
    lines = paths["facts"].read_text().splitlines()
    lines[2] = lines[2][:-5]
    paths["facts"].write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"facts\.jsonl:3: not a valid Fact"):
        run(paths, tmp_path)


def test_wrong_answer_in_another_form_than_the_paraphrase(paths, tmp_path):
    # the trained answer's sentence with other details: a truth ratio would compare forms
    rows = [json.loads(line) for line in paths["retain"].read_text().splitlines()]
    qa = next(row for row in rows if row["category"] == "occupation")
    index = next(
        i
        for i, line in enumerate(paths["wrong_details"].read_text().splitlines())
        if json.loads(line)["qa_id"] == qa["qa_id"]
    )
    in_answer_form = qa["answer"].rsplit(" as ", 1)[0] + " as a lighthouse keeper."

    def replace_first(row):
        row["wrong_answers"][0] = in_answer_form

    edit_line(paths["wrong_details"], index, replace_first)
    with pytest.raises(
        ValidationFailed, match="wrong_answers_share_paraphrase_form: 1 violation.*lighthouse"
    ):
        run(paths, tmp_path)


def line_of(path, key, value):
    return next(
        i for i, line in enumerate(path.read_text().splitlines()) if json.loads(line)[key] == value
    )


def first_retain(paths, category=None):
    rows = [json.loads(line) for line in paths["retain"].read_text().splitlines()]
    return next(row for row in rows if category in (None, row["category"]))


@pytest.mark.parametrize("which", ["paraphrased", "containing the right answer"])
def test_wrong_answer_that_is_right_after_all(paths, tmp_path, which):
    qa = first_retain(paths, "occupation")
    index = line_of(paths["wrong_details"], "qa_id", qa["qa_id"])
    details = json.loads(paths["wrong_details"].read_text().splitlines()[index])
    wrong = (
        details["paraphrased_answer"] if which == "paraphrased" else f"Not quite: {qa['answer']}"
    )
    edit_line(paths["wrong_details"], index, lambda row: row["wrong_answers"].__setitem__(0, wrong))
    with pytest.raises(ValidationFailed, match="wrong_answers_distinct: .*has the"):
        run(paths, tmp_path)


def test_flipped_correlated_flag(paths, tmp_path):
    qa = first_retain(paths)
    index = line_of(paths["retain"], "qa_id", qa["qa_id"])
    edit_line(paths["retain"], index, lambda row: row.update(correlated=not row["correlated"]))
    with pytest.raises(ValidationFailed, match="flags_follow_the_config: 1 violation.*correlated"):
        run(paths, tmp_path)


def test_forget_flag_cleared_on_a_fact(paths, tmp_path):
    forget = json.loads(paths["forget"].read_text().splitlines()[0])
    index = line_of(paths["facts"], "fact_id", forget["fact_id"])
    edit_line(paths["facts"], index, lambda row: row.update(forget=False))
    with pytest.raises(ValidationFailed, match="flags_follow_the_config: .*forget is False"):
        run(paths, tmp_path)


def test_probe_that_gives_the_answer_away(paths, tmp_path):
    def give_away(row):
        row["prompt"] += f" Was it {row['key_details'][0]}?"

    edit_line(paths["probes"], 0, give_away)
    with pytest.raises(ValidationFailed, match="probes_hide_the_answer: 1 violation"):
        run(paths, tmp_path)


def test_near_duplicate_questions_about_one_person(paths, tmp_path):
    first = first_retain(paths)
    other = next(
        json.loads(line)
        for line in paths["retain"].read_text().splitlines()
        if json.loads(line)["person_id"] == first["person_id"]
        and json.loads(line)["qa_id"] != first["qa_id"]
    )
    index = line_of(paths["retain"], "qa_id", other["qa_id"])
    edit_line(paths["retain"], index, lambda row: row.update(question=first["question"] + " now"))
    with pytest.raises(ValidationFailed, match="no_near_duplicate_questions: 1 violation"):
        run(paths, tmp_path)
