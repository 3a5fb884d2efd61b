"""The steps of one evaluation: the items it asks, its answers read back, split metrics,
membership and probe leakage."""

import numpy as np
import pytest

from unlearnflow.answering import Answered, TokenScores
from unlearnflow.data.records import ForgetProbe
from unlearnflow.evaluate import EvaluationSet, membership, probe_result, split_result
from unlearnflow.items import Item, utility_subset


def item(n, correlated=False, category="negative_incident"):
    return Item(
        item_id=f"q{n}",
        question=f"question {n}?",
        answer=f"answer {n}",
        paraphrased_answer=f"paraphrase {n}",
        wrong_answers=[f"wrong {n}a", f"wrong {n}b"],
        category=category,
        correlated=correlated,
    )


def scores(logprobs, hits=None):
    logprobs = np.asarray(logprobs, dtype=float)
    hits = np.ones(len(logprobs), bool) if hits is None else np.asarray(hits)
    return TokenScores(logprobs, hits, np.zeros(len(logprobs)), np.ones(len(logprobs)))


def probe(n, details):
    return ForgetProbe(
        probe_id=f"p{n}", qa_id=f"q{n}", person_id="x", prompt=f"tell me {n}", key_details=details
    )


@pytest.fixture
def evaluation_set():
    return EvaluationSet(
        splits={"forget": [item(0)], "retain": [item(1, True), item(2)]},
        holdout=[item(3)],
        probes=[probe(0, ["Lund"]), probe(1, ["tax fraud"])],
    )


def test_utility_subset_is_seeded_proportional_and_in_order():
    items = [item(n, correlated=n % 4 == 0) for n in range(40)]
    subset = utility_subset(items, 20, seed=3)
    assert subset == utility_subset(items, 20, seed=3) != utility_subset(items, 20, seed=4)
    assert len(subset) == 20 and sum(i.correlated for i in subset) == 5  # 10 of 40 correlated
    assert [i.item_id for i in subset] == sorted(
        (i.item_id for i in subset), key=lambda x: int(x[1:])
    )
    assert utility_subset(items, 0, seed=3) == items == utility_subset(items, 99, seed=3)


def test_questions_and_answers_line_up(evaluation_set):
    questions = evaluation_set.questions()
    assert [q.text for q in questions] == [
        "question 0?",
        "question 1?",
        "question 2?",
        "question 3?",
        "tell me 0",
        "tell me 1",
    ]
    assert questions[0].answers == ("answer 0", "paraphrase 0", "wrong 0a", "wrong 0b")
    assert questions[0].moments and not questions[1].moments  # forget answers only
    assert questions[3].answers == ("answer 3",) and questions[3].moments  # the holdout
    assert questions[4].generate and not questions[4].answers  # probes: greedy answers only

    answered = [
        Answered([scores([-n]) for _ in q.answers], f"said {n}" if q.generate else None)
        for n, q in enumerate(questions)
    ]
    assert evaluation_set.record_answers(answered) == ["said 4", "said 5"]
    retain_other = evaluation_set.splits["retain"][1]
    assert retain_other.scores["generation"] == "said 2"
    assert retain_other.scores["answer"].logprobs.tolist() == [-2]
    assert len(retain_other.scores["wrong"]) == 2
    assert evaluation_set.holdout[0].scores["answer"].logprobs.tolist() == [-3]
    with pytest.raises(ValueError, match="5 answers to 6 questions"):
        evaluation_set.record_answers(answered[:5])
    subsets = evaluation_set.subsets()
    assert [i.item_id for i in subsets["retain_correlated"]] == ["q1"]
    assert [i.item_id for i in subsets["retain_other"]] == ["q2"]


def test_split_result_holds_every_items_values():
    items = [item(0), item(1)]
    for n, entry in enumerate(items):
        entry.scores.update(
            answer=scores([-0.1, -0.3], hits=[True, n == 0]),
            paraphrased=scores([-1.0]),
            wrong=[scores([-2.0]), scores([-4.0])],
            generation=entry.answer if n == 0 else "something else",
        )
    result = split_result("retain", items)
    rows = result["items"]
    assert [row["id"] for row in rows] == ["q0", "q1"]
    assert rows[0]["answer_loss"] == pytest.approx(0.2)
    assert (rows[0]["rouge_l"], rows[1]["rouge_l"]) == (1.0, 0.0)
    assert (rows[0]["exact_memorization"], rows[1]["exact_memorization"]) == (1.0, 0.5)
    assert result["metrics"]["rouge_l"] == pytest.approx(0.5)
    assert result["metrics"]["exact_memorization"] == pytest.approx(0.75)


def test_membership_scores_members_against_non_members():
    members, non_members = [item(0), item(1)], [item(2), item(3)]
    for entry in members:
        entry.scores["answer"] = scores([-0.1, -0.2])
    for entry in non_members:
        entry.scores["answer"] = scores([-3.0, -2.0])
    result = membership(members, non_members, k=0.5)
    assert result["nonmembers"] == ["q2", "q3"]
    assert set(result["auc"]) == {"loss", "zlib", "min_k", "min_k_plus_plus"}
    # higher score = non-member (open-unlearning's sign): members are told apart
    assert result["auc"]["loss"] == 1.0 and result["auc"]["min_k"] == 1.0
    assert result["scores"]["loss"]["forget"] == pytest.approx([0.15, 0.15])


def test_probe_result_flags_each_answer_once():
    probes = [probe(0, ["Lund"]), probe(1, ["tax fraud"])]
    result = probe_result(probes, ["Arrested in lund.", "Nothing is known."])
    assert [row["leaked"] for row in result["probes"]] == [True, False]
    assert result["leakage_rate"] == 0.5
