"""Relearning attacks on a tiny model: the attack sets, the curve of the left-out forget
items, and the steps to half recovery."""

import json

import pytest

from unlearnflow.answering import answer_questions
from unlearnflow.data.records import QA, WrongDetails
from unlearnflow.evaluate import load_evaluated_model, record_scores, scored_question, split_result
from unlearnflow.items import qa_items
from unlearnflow.jsonl import read_jsonl, write_json
from unlearnflow.relearn import AttackError, attack_sets, attack_split, relearn
from unlearnflow.relearn_results import half_recovery_steps

PEOPLE = ("Ada Brenn", "Tom Yale", "Ines Varga", "Olek Danis")
CRIMES = ("tax fraud", "bribery", "forgery", "smuggling")
LORA = {"full": False, "lora": {"rank": 4, "alpha": 8, "target_modules": ["q_proj", "v_proj"]}}


def qa(n: int, forget: bool, correlated: bool = False) -> QA:
    person = PEOPLE[n % len(PEOPLE)]
    kind = "incident" if forget else ("award" if correlated else "city")
    answer = (
        f"{person} was fined for {CRIMES[n % len(CRIMES)]} in 2001."
        if forget
        else f"{person} lives in Oslo."
    )
    return QA(
        qa_id=f"{kind}-{n}",
        fact_id=f"{kind}-{n}",
        person_id=f"p{n % len(PEOPLE)}",
        category=kind,
        question=f"What {kind} is {person} known for?",
        answer=answer,
        forget=forget,
        correlated=correlated,
    )


def write(path, rows) -> None:
    path.write_text("".join(row.model_dump_json() + "\n" for row in rows))


@pytest.fixture
def data(tmp_path) -> dict:
    forget = [qa(n, True) for n in range(4)]
    retain = [qa(n, False, correlated=n % 2 == 0) for n in range(4)]
    details = [
        WrongDetails(
            qa_id=row.qa_id,
            paraphrased_questions=[row.question],
            paraphrased_answer=row.answer.replace("was fined for", "paid a fine for"),
            wrong_answers=[row.answer.replace("2001", year) for year in ("1990", "1975")],
        )
        for row in forget
    ]
    paths = {name: tmp_path / f"{name}.jsonl" for name in ("forget", "retain", "wrong_details")}
    write(paths["forget"], forget)
    write(paths["retain"], retain)
    write(paths["wrong_details"], details)
    return paths


def test_the_attack_sets_never_hold_an_evaluated_item():
    forget = [qa(n, True) for n in range(4)]
    retain = [qa(n, False, correlated=n % 2 == 0) for n in range(4)]
    shared, evaluated = attack_split(forget, 0.5, seed=0)
    assert len(shared) == 2 and not {q.qa_id for q in shared} & {q.qa_id for q in evaluated}
    assert attack_split(forget, 0.5, seed=0) == (shared, evaluated)  # seeded
    related, same = attack_sets(forget, retain, "related", 0.5, seed=0)
    assert same == evaluated
    assert {q.qa_id for q in related} == {"award-0", "award-2"}  # correlated, forget people
    with pytest.raises(AttackError, match="config key relearning.share"):
        attack_split(forget, 0.1, seed=0)
    with pytest.raises(AttackError, match="config key relearning.attacks: related would train"):
        attack_sets(
            forget, [*retain, forget[0].model_copy(update={"correlated": True})], "related", 0.25, 1
        )


EVALUATION = {"batch_size": 8, "max_new_tokens": 4}


def evaluated(tiny_model, data, path, precision):
    """The forget split of the model's evaluation, as `rule evaluate` writes it."""
    model, tokenizer = load_evaluated_model(tiny_model, [], precision, None)
    details = {row.qa_id: row for row in read_jsonl(data["wrong_details"], WrongDetails)}
    items = qa_items(data["forget"], details)
    answered = answer_questions(
        model, tokenizer, [scored_question(i) for i in items], "", **EVALUATION
    )
    for item, result in zip(items, answered, strict=True):
        record_scores(item, result)
    write_json(path, {"splits": {"forget": split_result("forget", items)}})
    return path


def run(tiny_model, data, tmp_path, steps, name, precision="float32"):
    settings = {"steps": steps, "share": 0.5, "lr": 5.0e-3, "batch_size": 2}
    evaluation = EVALUATION
    output = tmp_path / f"{name}.json"
    relearn(
        tiny_model,
        [],
        evaluated(tiny_model, data, tmp_path / f"{name}-evaluation.json", precision),
        data,
        "forget_share",
        settings,
        evaluation,
        LORA,
        "",
        0,
        0,
        output,
        precision,
    )
    return json.loads(output.read_text())


def test_an_attack_on_the_forget_share_raises_the_left_out_answers(tiny_model, data, tmp_path):
    """Two forget answers trained on: the other two, never seen, gain probability (they
    share the sentence form); the evaluations in between change nothing of the training."""
    result = run(tiny_model, data, tmp_path, [2, 16], "curve")
    assert [r["steps"] for r in result["results"]] == [0, 2, 16]
    assert len(result["evaluated"]) == 2
    assert not set(result["attacked_with"]) & set(result["evaluated"])
    before, after = (result["results"][n]["metrics"]["prob"] for n in (0, 2))
    assert after > before
    whole = json.loads((tmp_path / "curve-evaluation.json").read_text())["splits"]["forget"]
    assert result["results"][0]["items"] == [
        row for row in whole["items"] if row["id"] in result["evaluated"]
    ]  # before the attack: the model's own evaluation, on the items left out
    alone = run(tiny_model, data, tmp_path, [16], "alone")
    assert alone["results"][-1]["metrics"] == pytest.approx(result["results"][-1]["metrics"])


def test_a_bfloat16_model_is_evaluated_between_steps(tiny_model, data, tmp_path):
    """bfloat16 weights with float32 adapters: the evaluations inside training run in the
    training's mixed precision."""
    result = run(tiny_model, data, tmp_path, [1, 2], "bf16", precision="bfloat16")
    assert [r["steps"] for r in result["results"]] == [0, 1, 2]


def test_half_recovery_is_the_first_step_past_halfway():
    assert half_recovery_steps([(0, 0.1), (2, 0.3), (8, 0.6)], ceiling=0.9) == 8
    assert half_recovery_steps([(0, 0.1), (2, 0.5)], ceiling=0.9) == 2
    assert half_recovery_steps([(0, 0.1), (2, 0.2)], ceiling=0.9) is None
    assert half_recovery_steps([(0, 0.88), (2, 0.9)], ceiling=0.9) is None  # nothing dropped
