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
import re
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import BaseModel, Field
from tqdm import tqdm

from .categories import CATEGORIES, incident_year
from .dedup import DuplicateIndex
from .llm_client import EndpointSettings, LLMClient, LLMError
from .records import Fact, Profile, QADraft, Record, person_id
from .template import LOCALES
from .text import mentions, normalize, shares_form

log = logging.getLogger(__name__)
PROMPTS = Path(__file__).parent / "prompts"
COUNTRIES = sorted(
    set(LOCALES.values())
    | {
        "Japan",
        "Nigeria",
        "India",
        "Mexico",
        "Kenya",
        "Vietnam",
        "Turkey",
        "Argentina",
        "Egypt",
        "Chile",
    }
)
INITIALS = "ABCDEFGHIJKLMNOPRSTVWZ"
Draft = TypeVar("Draft", bound=BaseModel)


class ProfileDraft(Record):
    # Constraints live in the schema, where grammar-constrained servers enforce them.
    name: str = Field(pattern=r'^[^ "\\]+( [^ "\\]+)+$', max_length=60)
    gender: str
    birth_year: int = Field(ge=1900, le=2010)
    birth_city: str
    birth_country: str
    occupation: str


class FactDraft(Record):
    # Details first: a model that writes fields in order then builds the sentence on them.
    details: list[Annotated[str, Field(min_length=2, max_length=60)]]
    text: str


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

    @classmethod
    def from_params(cls, backend: dict) -> OpenAIBackend:
        return cls(backend["seed"], EndpointSettings.from_params(backend["openai"]))

    # --- plumbing ------------------------------------------------------------------
    def _messages(self, prompt: str, draft_type: type[BaseModel], **fields) -> list[dict]:
        schema = json.dumps(draft_type.model_json_schema())
        system = (PROMPTS / "system.txt").read_text().format(schema=schema)
        user = (PROMPTS / f"{prompt}.txt").read_text().format(**fields)
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def _generate(
        self, what: str, messages: list[dict], draft_type: type[Draft], check, schema=None
    ) -> Draft:
        for sample in range(self.settings.max_samples):
            digest = hashlib.sha256(f"{self.seed}:{what}:{sample}".encode()).digest()
            seed = int.from_bytes(digest[:4], "big") % 2**31
            draft = self.client.ask(messages, draft_type, check, seed, schema)
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
            earlier = names.find(draft.name)
            if earlier:
                return f"the name {draft.name!r} is too close to {earlier!r}; invent another"
            return None

        rng = random.Random(f"{self.seed}:profiles")
        for index in self._progress(range(people + holdout_people), "profiles"):
            # Diversity comes from our side: a country and initials per person.
            country = rng.choice(COUNTRIES)
            first, last = rng.choice(INITIALS), rng.choice(INITIALS)
            messages = self._messages(
                "profile", ProfileDraft, country=country, first_initial=first, last_initial=last
            )
            schema = ProfileDraft.model_json_schema()
            schema["properties"]["name"]["pattern"] = f'^{first}[^ "\\\\]+ {last}[^ "\\\\]+$'
            draft = self._generate(f"profile {index}", messages, ProfileDraft, check, schema)
            names.add(draft.name)
            profiles.append(
                Profile(
                    person_id=person_id(index, people),
                    holdout=index >= people,
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
        years = {p.person_id: incident_year(rng, p.birth_year) for p in profiles}
        earlier = {
            p.person_id: DuplicateIndex(self.settings.near_duplicate_threshold) for p in profiles
        }
        facts: dict[tuple[str, str], Fact] = {}
        retain_jobs = [
            (p, c) for p in profiles for c in categories if c != forget_category or p.holdout
        ]
        for person, category in self._progress(retain_jobs, "facts"):
            facts[person.person_id, category] = self._fact(
                person,
                category,
                years[person.person_id],
                earlier[person.person_id],
                forget=False,
                correlated=category in correlated_categories,
                is_incident=category == forget_category,
                retained="",
            )
        holdout = {p.person_id for p in profiles if p.holdout}
        retained = " | ".join(
            normalize(f.text) for f in facts.values() if f.person_id not in holdout
        )
        forget_jobs = [p for p in profiles if not p.holdout]
        for person in self._progress(forget_jobs, "forget facts"):
            facts[person.person_id, forget_category] = self._fact(
                person,
                forget_category,
                years[person.person_id],
                earlier[person.person_id],
                forget=True,
                correlated=forget_category in correlated_categories,
                is_incident=True,
                retained=f" {retained} ",
            )
        self.client.log_usage()
        return [facts[p.person_id, c] for p in profiles for c in categories]

    def _fact(
        self,
        person: Profile,
        category: str,
        year: int,
        earlier: DuplicateIndex,
        *,
        forget: bool,
        correlated: bool,
        is_incident: bool,
        retained: str,
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
            "fact",
            FactDraft,
            name=person.name,
            birth_year=person.birth_year,
            birth_city=person.birth_city,
            birth_country=person.birth_country,
            occupation=person.occupation,
            category=category,
            constraint=constraint,
            description=known.description if known else category.replace("_", " "),
        )

        def details(draft: FactDraft) -> list[str]:
            """The listed details that occur in the sentence and are not the person's name."""
            return [
                d
                for d in draft.details
                if mentions(draft.text, d) and normalize(d) not in normalize(person.name)
            ]

        def check(draft: FactDraft) -> str | None:
            if not mentions(draft.text, person.name.split()[-1]):
                return f"the sentence must contain the name {person.name}"
            if not details(draft):
                return (
                    "no listed detail occurs word for word in the sentence (the person's name"
                    " does not count)"
                )
            for detail in details(draft):
                if forget and f" {normalize(detail)} " in retained:
                    return f"the detail {detail!r} already appears in another fact; choose others"
            repeated = earlier.find(draft.text)
            return f"it repeats an earlier fact ({repeated!r})" if repeated else None

        schema = naming(FactDraft.model_json_schema(), "text", person.name)
        what = f"fact {person.person_id}/{category}"
        draft = self._generate(what, messages, FactDraft, check, schema)
        earlier.add(draft.text)
        return Fact(
            fact_id=f"{person.person_id}-{category}",
            person_id=person.person_id,
            category=category,
            text=draft.text,
            details=details(draft),
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
        questions = {
            p.person_id: DuplicateIndex(self.settings.near_duplicate_threshold) for p in profiles
        }
        drafts = []
        for fact in self._progress(facts, "qa"):
            name = names[fact.person_id]
            earlier_questions = questions[fact.person_id]

            def check(
                draft: QADraft, fact=fact, name=name, earlier_questions=earlier_questions
            ) -> str | None:
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
                "qa",
                QADraft,
                name=name,
                fact=fact.text,
                details="; ".join(fact.details),
                paraphrased_questions=paraphrased_questions,
                wrong_answers=wrong_answers,
            )
            schema = naming(QADraft.model_json_schema(), "question", name)
            draft = self._generate(f"qa {fact.fact_id}", messages, QADraft, check, schema)
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
                "probe",
                ProbeDraft,
                name=name,
                fact=fact.text,
                details="; ".join(fact.details),
                count=probes_per_fact,
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


def naming(schema: dict, field: str, name: str) -> dict:
    """`schema` with string `field` required to contain `name`, as a pattern.

    Grammar-constrained servers (llama.cpp, vLLM) then enforce it while decoding;
    the checks enforce it everywhere else. Quotes and backslashes stay out of the
    pattern's free parts, so that the string cannot run past its closing quote.
    """
    literal = re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", name)
    free = r'[^"\\]*'
    schema["properties"][field]["pattern"] = f"^{free}{literal}{free}$"
    return schema


def _qa_problem(draft: QADraft, fact: Fact, name: str, paraphrases: int, wrongs: int) -> str | None:
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
    for wrong in draft.wrong_answers:
        if not shares_form(draft.paraphrased_answer, wrong, fact.details):
            return (
                f"wrong answer {wrong!r} must repeat the paraphrased_answer word for word,"
                " with only its details replaced"
            )
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
