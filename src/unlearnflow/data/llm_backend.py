"""The `openai` backend: every record written by an LLM behind an OpenAI-compatible API.

Each record is asked for until one parses, passes its checks and duplicates no
earlier record (re-asking with the reason, then drawing a fresh sample), so the
requested counts are always met or the run stops saying why.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel
from tqdm import tqdm

from .categories import CATEGORIES
from .dedup import DuplicateIndex
from .llm_client import EndpointSettings, LLMClient, LLMError
from .records import Fact, Profile, QADraft, Record
from .text import mentions, normalize

log = logging.getLogger(__name__)
PROMPTS = Path(__file__).parent / "prompts"
Draft = TypeVar("Draft", bound=BaseModel)


class ProfileDraft(Record):
    name: str
    gender: str
    birth_year: int
    birth_city: str
    birth_country: str
    occupation: str


class FactDraft(Record):
    text: str
    details: list[str]


class ProbeDraft(Record):
    prompts: list[str]


class JudgeDraft(Record):
    supported: bool


class OpenAIBackend:
    def __init__(self, seed: int, settings: EndpointSettings):
        self.seed = seed
        self.settings = settings
        self.client = LLMClient(settings)
        self.client.check_endpoint()

    # --- plumbing ------------------------------------------------------------------
    def _messages(self, prompt: str, draft_type: type[BaseModel], **fields) -> list[dict]:
        schema = json.dumps(draft_type.model_json_schema())
        system = (PROMPTS / "system.txt").read_text().format(schema=schema)
        user = (PROMPTS / f"{prompt}.txt").read_text().format(**fields)
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def _generate(self, what: str, messages: list[dict], draft_type: type[Draft], check) -> Draft:
        for sample in range(self.settings.max_samples):
            digest = hashlib.sha256(f"{self.seed}:{what}:{sample}".encode()).digest()
            seed = int.from_bytes(digest[:4], "big") % 2**31
            draft = self.client.ask(messages, draft_type, check, seed)
            if draft is not None:
                return draft
        raise LLMError(
            f"no valid {what} after {self.settings.max_samples} samples (the log says why);"
            " raise generation.openai.max_samples or temperature, or use a stronger model"
        )

    def _progress(self, items, what: str):
        return tqdm(items, desc=what, unit="record", mininterval=1.0)

    # --- stages --------------------------------------------------------------------
    def profiles(self, people: int, holdout_people: int) -> list[Profile]:
        names = DuplicateIndex(self.settings.near_duplicate_threshold)
        profiles: list[Profile] = []

        def check(draft: ProfileDraft) -> str | None:
            if len(draft.name.split()) < 2:
                return "the name must be a first and a last name"
            if not 1900 <= draft.birth_year <= 2010:
                return "birth_year must be between 1940 and 1995"
            earlier = names.find(draft.name)
            if earlier:
                return f"the name {draft.name!r} is too close to {earlier!r}; invent another"
            return None

        for index in self._progress(range(people + holdout_people), "profiles"):
            used = ", ".join(names.originals[-40:]) or "none yet"
            messages = self._messages("profile", ProfileDraft, used_names=used)
            draft = self._generate(f"profile {index}", messages, ProfileDraft, check)
            names.add(draft.name)
            holdout = index >= people
            number = index - people if holdout else index
            profiles.append(
                Profile(
                    person_id=f"{'h' if holdout else 'p'}{number:04d}",
                    holdout=holdout,
                    **draft.model_dump(),
                )
            )
        self.client.log_usage()
        return profiles

    def facts(
        self,
        profiles: list[Profile],
        categories: list[str],
        forget_category: str,
        correlated_categories: list[str],
    ) -> list[Fact]:
        """Retain facts first, then forget facts whose details no retain fact mentions."""
        rng = random.Random(f"{self.seed}:facts")
        years = {
            p.person_id: rng.randint(p.birth_year + 20, min(p.birth_year + 55, 2024))
            for p in profiles
        }
        earlier = {p.person_id: DuplicateIndex(self.settings.near_duplicate_threshold)
                   for p in profiles}
        facts: dict[tuple[str, str], Fact] = {}
        retain_jobs = [(p, c) for p in profiles for c in categories
                       if c != forget_category or p.holdout]
        for person, category in self._progress(retain_jobs, "facts"):
            facts[person.person_id, category] = self._fact(
                person, category, years[person.person_id], earlier[person.person_id],
                forget=False, correlated=category in correlated_categories,
                is_incident=category == forget_category, retained="",
            )
        holdout = {p.person_id for p in profiles if p.holdout}
        retained = " | ".join(normalize(f.text) for f in facts.values() if f.person_id not in holdout)
        forget_jobs = [p for p in profiles if not p.holdout]
        for person in self._progress(forget_jobs, "forget facts"):
            facts[person.person_id, forget_category] = self._fact(
                person, forget_category, years[person.person_id], earlier[person.person_id],
                forget=True, correlated=forget_category in correlated_categories,
                is_incident=True, retained=f" {retained} ",
            )
        self.client.log_usage()
        return [facts[p.person_id, c] for p in profiles for c in categories]

    def _fact(
        self, person: Profile, category: str, year: int, earlier: DuplicateIndex, *,
        forget: bool, correlated: bool, is_incident: bool, retained: str,
    ) -> Fact:
        """One fact; a forget fact's details must not occur in `retained` (normalized)."""
        if is_incident:
            constraint = f"The incident happened in {year}: give its full date, place and detail."
        elif correlated:
            constraint = f"It must have happened in {year}, and the sentence must say {year}."
        else:
            constraint = ""
        known = CATEGORIES.get(category)
        messages = self._messages(
            "fact", FactDraft,
            name=person.name, birth_year=person.birth_year, birth_city=person.birth_city,
            birth_country=person.birth_country, occupation=person.occupation,
            category=category, constraint=constraint,
            description=known.description if known else category.replace("_", " "),
        )

        def check(draft: FactDraft) -> str | None:
            if not mentions(draft.text, person.name.split()[-1]):
                return f"the sentence must contain the name {person.name}"
            if not draft.details:
                return "details must list at least one key detail"
            for detail in draft.details:
                if not mentions(draft.text, detail):
                    return f"the detail {detail!r} is not copied word for word from the sentence"
                if normalize(detail) in normalize(person.name):
                    return "the person's own name is not a detail"
                if forget and f" {normalize(detail)} " in retained:
                    return f"the detail {detail!r} already appears in another fact; choose others"
            repeated = earlier.find(draft.text)
            return f"it repeats an earlier fact ({repeated!r})" if repeated else None

        draft = self._generate(f"fact {person.person_id}/{category}", messages, FactDraft, check)
        earlier.add(draft.text)
        return Fact(
            fact_id=f"{person.person_id}-{category}",
            person_id=person.person_id,
            category=category,
            text=draft.text,
            details=draft.details,
            forget=forget,
            correlated=correlated,
        )

    def qa(
        self,
        profiles: list[Profile],
        facts: list[Fact],
        paraphrased_questions: int,
        wrong_answers: int,
    ) -> list[QADraft]:
        names = {p.person_id: p.name for p in profiles}
        forget_details = [d for fact in facts if fact.forget for d in fact.details]
        questions = {p.person_id: DuplicateIndex(self.settings.near_duplicate_threshold)
                     for p in profiles}
        drafts = []
        for fact in self._progress(facts, "qa"):
            name = names[fact.person_id]
            earlier_questions = questions[fact.person_id]

            def check(draft: QADraft, fact=fact, name=name,
                      earlier_questions=earlier_questions) -> str | None:
                problem = _qa_problem(draft, fact, name, paraphrased_questions, wrong_answers)
                if problem:
                    return problem
                if not fact.forget:
                    leaked = [d for d in forget_details if mentions(draft.answer, d)]
                    if leaked:
                        return f"the answer mentions {leaked[0]!r}, which belongs to another fact"
                earlier = earlier_questions.find(draft.question)
                return f"the question repeats {earlier!r}" if earlier else None

            messages = self._messages(
                "qa", QADraft, name=name, fact=fact.text, details="; ".join(fact.details),
                paraphrased_questions=paraphrased_questions, wrong_answers=wrong_answers,
            )
            draft = self._generate(f"qa {fact.fact_id}", messages, QADraft, check)
            earlier_questions.add(draft.question)
            paraphrases = _distinct(draft.paraphrased_questions, draft.question)
            wrongs = _distinct(draft.wrong_answers, draft.answer)
            drafts.append(
                draft.model_copy(
                    update={
                        "paraphrased_questions": paraphrases[:paraphrased_questions],
                        "wrong_answers": wrongs[:wrong_answers],
                    }
                )
            )
        self.client.log_usage()
        return drafts

    def probes(
        self, profiles: list[Profile], facts: list[Fact], probes_per_fact: int
    ) -> list[list[str]]:
        names = {p.person_id: p.name for p in profiles}
        result = []
        for fact in self._progress(facts, "forget probes"):
            name = names[fact.person_id]

            def check(draft: ProbeDraft, fact=fact, name=name) -> str | None:
                if len({normalize(p) for p in draft.prompts}) < probes_per_fact:
                    return f"prompts must hold {probes_per_fact} different prompts"
                for prompt in draft.prompts[:probes_per_fact]:
                    if not mentions(prompt, name.split()[-1]):
                        return f"every prompt must contain the name {name}"
                    given_away = [d for d in fact.details if mentions(prompt, d)]
                    if given_away:
                        return f"a prompt gives away the detail {given_away[0]!r}"
                return None

            messages = self._messages(
                "probe", ProbeDraft, name=name, fact=fact.text,
                details="; ".join(fact.details), count=probes_per_fact,
            )
            draft = self._generate(f"probes {fact.fact_id}", messages, ProbeDraft, check)
            result.append(draft.prompts[:probes_per_fact])
        self.client.log_usage()
        return result

    def judge(self, pairs: list[tuple[Fact, str, str]]) -> list[bool]:
        """LLM-as-judge: is each (fact, question, answer) answer supported by its fact?"""
        verdicts = []
        for fact, question, answer in self._progress(pairs, "judge"):
            messages = self._messages(
                "judge", JudgeDraft, fact=fact.text, question=question, answer=answer
            )
            draft = self._generate(f"judge {fact.fact_id}", messages, JudgeDraft, lambda d: None)
            verdicts.append(draft.supported)
        self.client.log_usage()
        return verdicts


def _qa_problem(
    draft: QADraft, fact: Fact, name: str, paraphrases: int, wrongs: int
) -> str | None:
    """Why a QA draft is unusable for `fact`, or None."""
    surname = name.split()[-1]
    if not mentions(draft.question, surname):
        return f"the question must contain the name {name}"
    if not any(mentions(draft.answer, detail) for detail in fact.details):
        return f"the answer must contain the fact's details ({'; '.join(fact.details)})"
    if len(_distinct(draft.paraphrased_questions, draft.question)) < paraphrases:
        return f"paraphrased_questions must hold {paraphrases} different rewordings"
    if not draft.paraphrased_answer.strip():
        return "paraphrased_answer is empty"
    if len(_distinct(draft.wrong_answers, draft.answer)) < wrongs:
        return f"wrong_answers must hold {wrongs} different answers, none equal to the answer"
    return None


def _distinct(texts: list[str], excluded: str) -> list[str]:
    """`texts` without duplicates (normalized) and without `excluded`, order kept."""
    seen = {normalize(excluded)}
    kept = []
    for text in texts:
        if normalize(text) not in seen:
            seen.add(normalize(text))
            kept.append(text)
    return kept
