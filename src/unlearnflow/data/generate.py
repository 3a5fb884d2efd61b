"""The generation stages as the workflow runs them: read inputs, ask a backend, write files.

A backend is chosen by `generation.backend` (data/backends.py); each stage gets only
the settings it uses, so that changing one setting re-runs only the stages downstream
of it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..jsonl import read_jsonl, write_jsonl
from .backends import make_backend
from .records import QA, Fact, ForgetProbe, Profile, WrongDetails

log = logging.getLogger(__name__)


def generate_profiles(backend: dict, people: int, holdout_people: int, profiles: Path) -> None:
    records = make_backend(backend).profiles(people, holdout_people)
    write_jsonl(profiles, records)
    log.info("wrote %d profiles (%d holdout) to %s", len(records), holdout_people, profiles)


def generate_facts(
    backend: dict,
    categories: list[str],
    forget_category: str,
    correlated_categories: list[str],
    profiles: Path,
    facts: Path,
) -> None:
    people = read_jsonl(profiles, Profile)
    records = make_backend(backend).facts(
        people, categories, forget_category, correlated_categories
    )
    write_jsonl(facts, records)
    log.info("wrote %d facts to %s", len(records), facts)


def generate_qa(
    backend: dict,
    paraphrased_questions: int,
    wrong_answers: int,
    profiles: Path,
    facts: Path,
    forget: Path,
    retain: Path,
    holdout: Path,
    wrong_details: Path,
) -> None:
    """One QA per fact, split into forget, retain and holdout; wrong details beside them."""
    people = read_jsonl(profiles, Profile)
    all_facts = read_jsonl(facts, Fact)
    drafts = make_backend(backend).qa(people, all_facts, paraphrased_questions, wrong_answers)
    holdout_people = {person.person_id for person in people if person.holdout}
    splits: dict[str, list[QA]] = {"forget": [], "retain": [], "holdout": []}
    details: list[WrongDetails] = []
    for fact, draft in zip(all_facts, drafts, strict=True):
        qa, wrong = draft.split(fact, qa_id=f"{fact.fact_id}-qa")
        split = (
            "holdout" if fact.person_id in holdout_people else "forget" if fact.forget else "retain"
        )
        splits[split].append(qa)
        details.append(wrong)
    write_jsonl(forget, splits["forget"])
    write_jsonl(retain, splits["retain"])
    write_jsonl(holdout, splits["holdout"])
    write_jsonl(wrong_details, details)
    log.info("wrote QA: %s", {split: len(rows) for split, rows in splits.items()})


def generate_forget_probes(
    backend: dict, probes_per_fact: int, profiles: Path, facts: Path, forget: Path, probes: Path
) -> None:
    """Free-form prompts per forget QA; a leaking answer would contain the fact's details."""
    people = read_jsonl(profiles, Profile)
    facts_by_id = {fact.fact_id: fact for fact in read_jsonl(facts, Fact)}
    forget_qa = read_jsonl(forget, QA)
    forget_facts = [facts_by_id[qa.fact_id] for qa in forget_qa]
    prompts = make_backend(backend).probes(people, forget_facts, probes_per_fact)
    records = [
        ForgetProbe(
            probe_id=f"{qa.qa_id}-probe{index}",
            qa_id=qa.qa_id,
            person_id=qa.person_id,
            prompt=prompt,
            key_details=fact.details,
        )
        for qa, fact, fact_prompts in zip(forget_qa, forget_facts, prompts, strict=True)
        for index, prompt in enumerate(fact_prompts)
    ]
    write_jsonl(probes, records)
    log.info("wrote %d forget probes to %s", len(records), probes)
