"""The offline backend: deterministic from a seed, Faker for names and places.

Diversity is enforced, not hoped for: names, birth cities and occupations are
unique across people, and every wrong answer replaces the paraphrased answer's
details with other values of the same slot type (TOFU's perturbed answers, Maini et
al. 2024): true and wrong answers scored by the truth ratio share one sentence form.
"""

from __future__ import annotations

import hashlib
import random
from string import Formatter

from faker import Faker

from .categories import (
    CATEGORIES,
    FIELDS,
    PROBE_TEMPLATES,
    SLOT_VALUES,
    YEAR_SHIFT,
    Category,
    incident_year,
)
from .records import Fact, Profile, QADraft, person_id
from .text import normalize

# Locale -> country: names and cities come from the person's own country.
LOCALES = {
    "en_US": "the United States",
    "en_GB": "the United Kingdom",
    "en_IE": "Ireland",
    "de_DE": "Germany",
    "fr_FR": "France",
    "it_IT": "Italy",
    "es_ES": "Spain",
    "nl_NL": "the Netherlands",
    "sv_SE": "Sweden",
    "da_DK": "Denmark",
    "pl_PL": "Poland",
    "cs_CZ": "Czechia",
    "pt_BR": "Brazil",
    "fi_FI": "Finland",
}
RELATIVES = ("sister", "brother", "mother", "father", "cousin", "spouse")
ACHIEVEMENTS = (
    "founded {company}",
    "published the acclaimed book '{title}'",
    "led the team that built the {city} harbour bridge",
    "won the national championship with {company}",
    "patented a new method for {field_topic}",
    "premiered the symphony '{title}'",
    "opened the first branch of {company} abroad",
    "discovered a new species of orchid near {city}",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def seeded_random(seed: int, stage: str) -> random.Random:
    """An independent, reproducible random stream per stage."""
    return random.Random(f"{seed}:{stage}")


class TemplateBackend:
    """Generates every record from the category templates; no network, no model."""

    def __init__(self, seed: int):
        self.seed = seed
        self.fakers = {}
        for locale in LOCALES:
            fake = Faker(locale)
            digest = hashlib.sha256(f"{seed}:{locale}".encode()).digest()
            fake.seed_instance(int.from_bytes(digest[:8], "big"))
            self.fakers[locale] = fake
        # Faker's it_IT builds its city list from a set, in an order that follows
        # Python's per-process hash seed; drawing from the sorted list keeps every
        # file reproducible from `seed` alone.
        self.sorted_cities = {
            locale: sorted(cities)
            for locale, fake in self.fakers.items()
            if (cities := getattr(fake.city.__self__, "cities", None))
        }

    @classmethod
    def from_params(cls, backend: dict) -> TemplateBackend:
        return cls(backend["seed"])

    # --- slot values -------------------------------------------------------------
    def draw(self, kind: str, rng: random.Random, like: str = "") -> str:
        """A fresh value of slot type `kind`; `like` is the value it replaces, if any."""
        english = self.fakers["en_US"]
        locale = rng.choice(list(LOCALES))
        any_locale = self.fakers[locale]
        if kind.endswith("_year"):
            year = int(like) if like else 1990
            return str(year + rng.choice([-1, 1]) * rng.randint(1, YEAR_SHIFT))
        if kind == "incident_date":
            year = like.rsplit(" ", 1)[-1] if like else "2005"
            year = str(int(year) + rng.randint(-6, 6))
            return f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {year}"
        if kind.endswith("_city"):
            return self.city(locale)
        if kind.endswith("occupation"):
            return with_article(self.job())
        if kind == "relative_name":
            return f"{any_locale.first_name()} {any_locale.last_name()}"
        if kind == "institution":
            return rng.choice(
                ["University of {}", "{} Institute of Technology", "{} Academy of Arts"]
            ).format(self.city(locale))
        if kind == "award":
            return f"{any_locale.last_name()} Prize for {rng.choice(FIELDS).title()}"
        if kind == "achievement":
            return rng.choice(ACHIEVEMENTS).format(
                company=english.company(),
                title=english.catch_phrase().title(),
                city=self.city(locale),
                field_topic=rng.choice(FIELDS),
            )
        return rng.choice(SLOT_VALUES[kind])

    def city(self, locale: str) -> str:
        fake = self.fakers[locale]
        if locale in self.sorted_cities:
            return fake.random_element(self.sorted_cities[locale])
        return fake.city()

    def job(self) -> str:
        return self.fakers["en_US"].job().split(",")[0].lower()

    def draw_other(self, kind: str, rng: random.Random, true: str, taken: set[str]) -> str:
        """A value of the same type that differs from the true one and from `taken`."""
        for _ in range(1000):
            value = self.draw(kind, rng, like=true)
            if value != true and value not in taken:
                return value
        raise RuntimeError(f"cannot draw a new value of slot type {kind!r}")

    # --- stages ------------------------------------------------------------------
    def profiles(self, people: int, holdout_people: int) -> list[Profile]:
        rng = seeded_random(self.seed, "profiles")
        total = people + holdout_people
        names, cities, occupations, profiles = set(), set(), set(), []
        while len(profiles) < total:
            locale = rng.choice(list(LOCALES))
            fake = self.fakers[locale]
            gender = rng.choice(["female", "male"])
            first = fake.first_name_female() if gender == "female" else fake.first_name_male()
            name = f"{first} {fake.last_name()}"
            city = self.city(locale)
            occupation = self.job()
            if name in names or city in cities:
                continue
            if occupation in occupations and len(occupations) < 400:
                continue
            names.add(name)
            cities.add(city)
            occupations.add(occupation)
            index = len(profiles)
            profiles.append(
                Profile(
                    person_id=person_id(index, people),
                    name=name,
                    gender=gender,
                    birth_year=rng.randint(1940, 1990),
                    birth_city=city,
                    birth_country=LOCALES[locale],
                    occupation=occupation,
                    holdout=index >= people,
                )
            )
        return profiles

    def facts(
        self,
        profiles: list[Profile],
        categories: list[str],
        forget_category: str,
        correlated_categories: list[str],
    ) -> list[Fact]:
        """Retain facts first; then forget facts whose details no retain fact mentions."""
        rng = seeded_random(self.seed, "facts")
        slots = {
            person.person_id: self._person_slots(person, rng, categories) for person in profiles
        }
        forget = CATEGORIES[forget_category]

        def fact(person: Profile, category: Category, values: dict[str, str]) -> Fact:
            used = {slot: values[slot] for slot in sorted(_template_slots(category) | {"name"})}
            return Fact(
                fact_id=f"{person.person_id}-{category.name}",
                person_id=person.person_id,
                category=category.name,
                text=category.fact.format(**values),
                details=[values[slot] for slot in category.details],
                forget=category.name == forget_category and not person.holdout,
                correlated=category.name in correlated_categories,
                slots=used,
            )

        retain_texts = []  # normalized, so that one substring test checks them all
        facts: dict[tuple[str, str], Fact] = {}
        for person in profiles:
            for name in categories:
                if name == forget_category and not person.holdout:
                    continue
                facts[person.person_id, name] = fact(
                    person, CATEGORIES[name], slots[person.person_id]
                )
                if not person.holdout:
                    retain_texts.append(normalize(facts[person.person_id, name].text))
        retained = f" {' | '.join(retain_texts)} "
        for person in profiles:
            if person.holdout:
                continue
            values = slots[person.person_id]
            while any(f" {normalize(values[detail])} " in retained for detail in forget.details):
                values.update(self._incident_slots(rng, values["incident_year"]))
            facts[person.person_id, forget.name] = fact(person, forget, values)
        return [facts[p.person_id, name] for p in profiles for name in categories]

    def _person_slots(self, person: Profile, rng: random.Random, categories) -> dict[str, str]:
        year = incident_year(rng, person.birth_year)
        values = {
            "name": person.name,
            "birth_city": person.birth_city,
            "birth_country": person.birth_country,
            "birth_year": str(person.birth_year),
            "occupation": with_article(person.occupation),
            "incident_year": str(year),
            "award_year": str(rng.randint(person.birth_year + 25, 2024)),
            "relative": rng.choice(RELATIVES),
        }
        needed = {slot for name in categories for slot in _template_slots(CATEGORIES[name])}
        for slot in sorted(needed - values.keys() - {"incident_date", "incident_city", "crime"}):
            values[slot] = self.draw(slot, rng)
        values.update(self._incident_slots(rng, values["incident_year"]))
        return values

    def _incident_slots(self, rng: random.Random, year: str) -> dict[str, str]:
        return {
            "incident_date": f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {year}",
            "incident_city": self.draw("incident_city", rng),
            "crime": self.draw("crime", rng),
        }

    def qa(
        self,
        profiles: list[Profile],
        facts: list[Fact],
        paraphrased_questions: int,
        wrong_answers: int,
    ) -> list[QADraft]:
        """Questions and answers from the category's sentences; names come from `fact.slots`."""
        rng = seeded_random(self.seed, "qa")
        drafts = []
        for fact in facts:
            category = CATEGORIES[fact.category]
            questions = [q.format(**fact.slots) for q in category.questions]
            answer = category.answer.format(**fact.slots)
            wrongs: list[str] = []
            taken = {slot: {fact.slots[slot]} for slot in category.varied}
            while len(wrongs) < wrong_answers:
                values = dict(fact.slots)
                for slot in category.varied:
                    values[slot] = self.draw_other(slot, rng, fact.slots[slot], taken[slot])
                    taken[slot].add(values[slot])
                wrongs.append(category.paraphrased_answer.format(**values))
            drafts.append(
                QADraft(
                    question=questions[0],
                    answer=answer,
                    paraphrased_questions=questions[1 : 1 + paraphrased_questions],
                    paraphrased_answer=category.paraphrased_answer.format(**fact.slots),
                    wrong_answers=wrongs,
                )
            )
        return drafts

    def probes(
        self, profiles: list[Profile], facts: list[Fact], probes_per_fact: int
    ) -> list[list[str]]:
        """Indirect prompts per forget fact: they name the person, never the details."""
        names = {person.person_id: person.name for person in profiles}
        return [
            [t.format(name=names[fact.person_id]) for t in PROBE_TEMPLATES[:probes_per_fact]]
            for fact in facts
        ]


def with_article(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _template_slots(category) -> set[str]:
    """Every slot a category's sentences use."""
    texts = (category.fact, category.answer, category.paraphrased_answer, *category.questions)
    return {field for text in texts for _, field, _, _ in Formatter().parse(text) if field}
