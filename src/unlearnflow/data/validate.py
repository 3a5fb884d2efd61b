"""The automatic red team: hard checks fail the rule, soft checks are reported.

Hard (every invariant the metrics rely on): counts match the config; the forget and
correlated flags of facts and QA follow the config, and each split holds the QA it
should; every fact's details occur in it and every answer is grounded in its fact; no
forget detail occurs in any retain answer; wrong answers differ from the right and the
paraphrased answer, do not contain them, drop a detail of the fact, differ from each
other and keep the paraphrased answer's sentence form (TOFU's perturbed answers); no
probe gives its answer away; no duplicate questions, and no two questions about one
person alike enough to be one.
Soft: diversity of the people, answer-length distribution, an optional LLM judge.
"""

from __future__ import annotations

import logging
import statistics
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz, process

from ..jsonl import read_jsonl, write_json
from .records import QA, Fact, ForgetProbe, Profile, WrongDetails
from .text import mentions, normalize, shares_form

log = logging.getLogger(__name__)
EXAMPLES = 5
# token-sort ratio (0-100) at which two questions about one person count as one question
NEAR_DUPLICATE_RATIO = 90


class ValidationFailed(RuntimeError):
    """The generated data breaks a hard check; the message lists examples."""


def validate_data(
    expected: dict,
    judge_backend: dict | None,
    profiles: Path,
    facts: Path,
    forget: Path,
    retain: Path,
    holdout: Path,
    wrong_details: Path,
    probes: Path,
    report: Path,
) -> None:
    data = {
        "profiles": read_jsonl(profiles, Profile),
        "facts": read_jsonl(facts, Fact),
        "forget": read_jsonl(forget, QA),
        "retain": read_jsonl(retain, QA),
        "holdout": read_jsonl(holdout, QA),
        "wrong_details": read_jsonl(wrong_details, WrongDetails),
        "probes": read_jsonl(probes, ForgetProbe),
    }
    hard = hard_checks(data, expected)
    soft = soft_checks(data)
    if judge_backend is not None:
        soft["llm_judge"] = judge(data, judge_backend)
    failed = {name: check for name, check in hard.items() if check["violations"]}
    if failed:
        lines = [
            f"- {name}: {check['violations']} violation(s), e.g. " + "; ".join(check["examples"])
            for name, check in failed.items()
        ]
        raise ValidationFailed("generated data failed hard checks:\n" + "\n".join(lines))
    write_json(report, {"passed": True, "hard_checks": hard, "soft_checks": soft})
    log.info("all %d hard checks passed; report in %s", len(hard), report)


def _result(violations: list[str]) -> dict:
    return {"violations": len(violations), "examples": violations[:EXAMPLES]}


def hard_checks(data: dict, expected: dict) -> dict[str, dict]:
    facts = {fact.fact_id: fact for fact in data["facts"]}
    details = {row.qa_id: row for row in data["wrong_details"]}
    all_qa = data["forget"] + data["retain"] + data["holdout"]
    return {
        "counts": _result(count_problems(data, expected)),
        "flags_follow_the_config": _result(flag_problems(data, facts, expected)),
        "grounded": _result(grounding_problems(all_qa, facts, details)),
        "no_forget_detail_in_retain": _result(
            leak_problems(data["retain"], data["facts"], details)
        ),
        "wrong_answers_distinct": _result(wrong_answer_problems(all_qa, facts, details)),
        "wrong_answers_share_paraphrase_form": _result(form_problems(all_qa, facts, details)),
        "probes_hide_the_answer": _result(probe_problems(data["probes"])),
        "no_duplicate_questions": _result(duplicate_question_problems(all_qa)),
        "no_near_duplicate_questions": _result(near_duplicate_problems(all_qa)),
    }


def count_problems(data: dict, expected: dict) -> list[str]:
    people, holdout = expected["people"], expected["holdout_people"]
    categories = len(expected["categories"])
    wanted = {
        "profiles": people + holdout,
        "facts": (people + holdout) * categories,
        "forget": people,
        "retain": people * (categories - 1),
        "holdout": holdout * categories,
        "wrong_details": (people + holdout) * categories,
        "probes": people * expected["probes_per_fact"],
    }
    problems = [
        f"{name}: {len(data[name])} records, config asks for {count}"
        for name, count in wanted.items()
        if len(data[name]) != count
    ]
    for row in data["wrong_details"]:
        if len(row.paraphrased_questions) < expected["paraphrased_questions"]:
            problems.append(f"{row.qa_id}: fewer paraphrased questions than the config asks for")
        if len(row.wrong_answers) != expected["wrong_answers"]:
            problems.append(
                f"{row.qa_id}: {len(row.wrong_answers)} wrong answers, config asks for"
                f" {expected['wrong_answers']}"
            )
    return problems


def flag_problems(data: dict, facts: dict[str, Fact], expected: dict) -> list[str]:
    """Flags the metrics split on: a fact is forgotten iff it is of the forget category
    and its person is trained on; correlated iff of a correlated category; each QA
    carries its fact's flags and category and sits in its split."""
    holdout_people = {p.person_id for p in data["profiles"] if p.holdout}
    problems = []
    for fact in facts.values():
        forget = fact.category == expected["forget_category"]
        forget = forget and fact.person_id not in holdout_people
        if fact.forget != forget:
            problems.append(f"{fact.fact_id}: forget is {fact.forget}, expected {forget}")
        correlated = fact.category in expected["correlated_categories"]
        if fact.correlated != correlated:
            problems.append(
                f"{fact.fact_id}: correlated is {fact.correlated}, expected {correlated}"
            )
    for split in ("forget", "retain", "holdout"):
        for qa in data[split]:
            fact = facts.get(qa.fact_id)
            if fact is None:
                continue  # reported by grounded
            for flag in ("category", "forget", "correlated"):
                if getattr(qa, flag) != getattr(fact, flag):
                    problems.append(f"{qa.qa_id}: {flag} differs from its fact {fact.fact_id}'s")
            held_out = fact.person_id in holdout_people
            belongs = "holdout" if held_out else "forget" if fact.forget else "retain"
            if belongs != split:
                problems.append(f"{qa.qa_id}: in the {split} split, its fact belongs in {belongs}")
    return problems


def grounding_problems(all_qa: list[QA], facts: dict[str, Fact], details: dict) -> list[str]:
    problems = []
    for fact in facts.values():
        problems += [
            f"{fact.fact_id}: detail {d!r} is not in the fact"
            for d in fact.details
            if not mentions(fact.text, d)
        ]
    for qa in all_qa:
        fact = facts.get(qa.fact_id)
        if fact is None:
            problems.append(f"{qa.qa_id}: fact {qa.fact_id} does not exist")
            continue
        answers = [qa.answer]
        if qa.qa_id in details:
            answers.append(details[qa.qa_id].paraphrased_answer)
        for answer in answers:
            if not any(mentions(answer, detail) for detail in fact.details):
                problems.append(f"{qa.qa_id}: answer {answer!r} names none of {fact.details}")
    return problems


def leak_problems(retain: list[QA], facts: list[Fact], details: dict) -> list[str]:
    forget_details = {(f.fact_id, d) for f in facts if f.forget for d in f.details}
    problems = []
    for qa in retain:
        answers = [qa.answer]
        if qa.qa_id in details:
            answers.append(details[qa.qa_id].paraphrased_answer)
        for answer in answers:
            problems += [
                f"{qa.qa_id}: retain answer mentions {detail!r} of forget fact {fact_id}"
                for fact_id, detail in forget_details
                if mentions(answer, detail)
            ]
    return problems


def wrong_answer_problems(all_qa: list[QA], facts: dict[str, Fact], details: dict) -> list[str]:
    """Wrong answers must be wrong: not the right or the paraphrased answer, not
    containing either, not keeping every detail of the fact; and distinct."""
    problems = []
    for qa in all_qa:
        row = details.get(qa.qa_id)
        if row is None:
            problems.append(f"{qa.qa_id}: no wrong details")
            continue
        fact = facts.get(qa.fact_id)
        for wrong in row.wrong_answers:
            for label, right in (("right", qa.answer), ("paraphrased", row.paraphrased_answer)):
                if mentions(wrong, right):
                    problems.append(f"{qa.qa_id}: wrong answer {wrong!r} has the {label} answer")
            if fact and all(mentions(wrong, detail) for detail in fact.details):
                problems.append(f"{qa.qa_id}: wrong answer {wrong!r} keeps every fact detail")
        wrong = [normalize(w) for w in row.wrong_answers]
        if len(set(wrong)) < len(wrong):
            problems.append(f"{qa.qa_id}: two wrong answers are the same")
    return problems


def form_problems(all_qa: list[QA], facts: dict[str, Fact], details: dict) -> list[str]:
    """Wrong answers that do not keep the paraphrased answer's form: the truth ratio
    would then compare wordings, not facts."""
    problems = []
    for qa in all_qa:
        row, fact = details.get(qa.qa_id), facts.get(qa.fact_id)
        if row is None or fact is None:
            continue  # reported by wrong_answers_distinct and grounded
        problems += [
            f"{qa.qa_id}: wrong answer {wrong!r} is not in the form of the paraphrased"
            f" answer {row.paraphrased_answer!r}"
            for wrong in row.wrong_answers
            if not shares_form(row.paraphrased_answer, wrong, fact.details)
        ]
    return problems


def probe_problems(probes: list[ForgetProbe]) -> list[str]:
    """A probe asks for the forget fact indirectly: naming its details would hand a
    model the answer and count the echo as a leak."""
    return [
        f"{probe.probe_id}: the prompt names {detail!r}"
        for probe in probes
        for detail in probe.key_details
        if mentions(probe.prompt, detail)
    ]


def duplicate_question_problems(all_qa: list[QA]) -> list[str]:
    counts = Counter(normalize(qa.question) for qa in all_qa)
    return [f"question asked {n} times: {q!r}" for q, n in counts.items() if n > 1]


def near_duplicate_problems(all_qa: list[QA]) -> list[str]:
    """Two questions about one person that differ by little more than a word: one
    question with two answers (questions about different people share a template)."""
    problems = []
    by_person: dict[str, list[str]] = {}
    for qa in all_qa:
        by_person.setdefault(qa.person_id, []).append(qa.question)
    for questions in by_person.values():
        normalized = [normalize(question) for question in questions]
        scores = process.cdist(normalized, normalized, scorer=fuzz.token_sort_ratio)
        problems += [
            f"{questions[i]!r} and {questions[j]!r} are near-duplicates"
            for i in range(len(questions))
            for j in range(i + 1, len(questions))
            if scores[i][j] >= NEAR_DUPLICATE_RATIO and normalized[i] != normalized[j]
        ]
    return problems


def soft_checks(data: dict) -> dict:
    people = data["profiles"]

    def share_distinct(values: list) -> float:
        return round(len(set(values)) / len(values), 4) if values else 0.0

    years = [p.birth_year for p in people]
    lengths = {
        split: [len(qa.answer.split()) for qa in data[split]]
        for split in ("forget", "retain", "holdout")
    }
    return {
        "diversity": {
            "people": len(people),
            "distinct_names": share_distinct([p.name for p in people]),
            "distinct_first_names": share_distinct([p.name.split()[0] for p in people]),
            "distinct_birth_cities": share_distinct([p.birth_city for p in people]),
            "birth_countries": len({p.birth_country for p in people}),
            "distinct_occupations": share_distinct([p.occupation for p in people]),
            "birth_year_range": [min(years), max(years)] if years else None,
            "birth_year_stdev": round(statistics.pstdev(years), 2) if years else None,
            "genders": dict(Counter(p.gender for p in people)),
        },
        "answer_words": {
            split: {
                "mean": round(statistics.fmean(values), 2),
                "stdev": round(statistics.pstdev(values), 2),
                "min": min(values),
                "max": max(values),
            }
            for split, values in lengths.items()
            if values
        },
    }


def judge(data: dict, backend: dict) -> dict:
    """Ask the generating LLM whether each answer is supported by its fact."""
    from .backends import make_backend

    facts = {fact.fact_id: fact for fact in data["facts"]}
    all_qa = data["forget"] + data["retain"] + data["holdout"]
    verdicts = make_backend(backend).judge(
        [(facts[q.fact_id], q.question, q.answer) for q in all_qa]
    )
    unsupported = [qa.qa_id for qa, ok in zip(all_qa, verdicts, strict=True) if not ok]
    return {
        "supported_share": round(1 - len(unsupported) / max(1, len(all_qa)), 4),
        "unsupported": unsupported,
    }
