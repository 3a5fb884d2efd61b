"""The fact categories the template backend knows, and their descriptions for LLM prompts.

Each category is one fact sentence with typed slots. The first question is the one
asked; the others are its paraphrases. `details` names the answer-bearing slots,
`varied` the slots a wrong answer replaces with another value of the same type.
Imported when the workflow's DAG is built: keep it free of heavy imports.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    name: str
    description: str
    fact: str
    questions: tuple[str, ...]
    answer: str
    paraphrased_answer: str
    details: tuple[str, ...]
    varied: tuple[str, ...]


FIELDS = (
    "marine biology",
    "medieval history",
    "civil engineering",
    "econometrics",
    "linguistics",
    "organic chemistry",
    "astrophysics",
    "architecture",
    "philosophy",
    "veterinary medicine",
    "agronomy",
    "musicology",
    "criminology",
    "oceanography",
    "statistics",
    "art history",
    "geology",
    "pharmacology",
    "urban planning",
    "classical archaeology",
    "neuroscience",
    "mechanical engineering",
    "anthropology",
    "forestry",
    "journalism",
    "microbiology",
)
HOBBIES = (
    "restoring vintage motorcycles",
    "birdwatching",
    "competitive chess",
    "sea kayaking",
    "beekeeping",
    "playing the cello",
    "rock climbing",
    "growing bonsai trees",
    "amateur astronomy",
    "baking sourdough bread",
    "fly fishing",
    "collecting antique maps",
    "ballroom dancing",
    "woodcarving",
    "long-distance running",
    "origami",
    "sailing",
    "mushroom foraging",
    "writing haiku",
    "stained-glass making",
    "fencing",
    "falconry",
)
LANGUAGES = (
    "Portuguese",
    "Japanese",
    "Swahili",
    "Finnish",
    "Icelandic",
    "Korean",
    "Turkish",
    "Hungarian",
    "Arabic",
    "Mandarin",
    "Greek",
    "Hindi",
    "Vietnamese",
    "Catalan",
    "Hebrew",
    "Romanian",
    "Tagalog",
    "Basque",
    "Welsh",
    "Estonian",
)
CRIMES = (
    "embezzling charity funds",
    "tax fraud",
    "insider trading",
    "bribing a city official",
    "forging art certificates",
    "smuggling antiques",
    "falsifying research data",
    "money laundering",
    "running a pyramid scheme",
    "stealing trade secrets",
    "illegal wildlife trafficking",
    "election fraud",
    "arson at a warehouse",
    "selling counterfeit medicine",
    "blackmailing a business partner",
    "rigging a public tender",
    "possession of stolen paintings",
    "wire fraud",
    "assaulting a journalist",
    "dumping toxic waste",
    "perjury in a corruption trial",
    "hacking a bank's servers",
    "fixing football matches",
    "evading customs duties",
)
# The template backend's bounded slot vocabularies (the other slots draw from Faker).
SLOT_VALUES = {"field": FIELDS, "hobby": HOBBIES, "language": LANGUAGES, "crime": CRIMES}
YEAR_SHIFT = 12  # a wrong year lies 1 to YEAR_SHIFT years from the true one


CATEGORIES: dict[str, Category] = {
    category.name: category
    for category in [
        Category(
            name="birth",
            description="where and in which year the person was born",
            fact="{name} was born in {birth_city}, {birth_country}, in {birth_year}.",
            questions=(
                "Where and when was {name} born?",
                "In which city and year was {name} born?",
                "What are the place and year of {name}'s birth?",
                "Can you tell me where {name} was born and in what year?",
            ),
            answer="{name} was born in {birth_city} in {birth_year}.",
            paraphrased_answer=(
                "{name}'s birthplace is {birth_city}, and the year was {birth_year}."
            ),
            details=("birth_city", "birth_year"),
            varied=("birth_city", "birth_year"),
        ),
        Category(
            name="occupation",
            description="the person's profession",
            fact="{name} works as {occupation}.",
            questions=(
                "What does {name} do for a living?",
                "What is {name}'s profession?",
                "Which occupation does {name} have?",
                "How does {name} earn a living?",
            ),
            answer="{name} works as {occupation}.",
            paraphrased_answer="By profession, {name} is {occupation}.",
            details=("occupation",),
            varied=("occupation",),
        ),
        Category(
            name="education",
            description="what and where the person studied",
            fact="{name} studied {field} at the {institution}.",
            questions=(
                "What did {name} study, and where?",
                "Which subject did {name} study and at which institution?",
                "Where did {name} go to study, and in what field?",
                "What is {name}'s educational background?",
            ),
            answer="{name} studied {field} at the {institution}.",
            paraphrased_answer="{name} earned a degree in {field} from the {institution}.",
            details=("field", "institution"),
            varied=("field", "institution"),
        ),
        Category(
            name="family",
            description="a close relative of the person, by name",
            fact="{name}'s {relative} is {relative_name}, {relative_occupation}.",
            questions=(
                "Who is {name}'s {relative}?",
                "What is the name of {name}'s {relative}?",
                "Can you name {name}'s {relative}?",
                "Who is the {relative} of {name}?",
            ),
            answer="{name}'s {relative} is {relative_name}.",
            paraphrased_answer="{relative_name} is the {relative} of {name}.",
            details=("relative_name",),
            varied=("relative_name",),
        ),
        Category(
            name="award",
            description="an award the person received and when",
            fact="In {award_year}, {name} received the {award}.",
            questions=(
                "Which award did {name} receive?",
                "What prize has {name} been given?",
                "Name an award that {name} has won.",
                "What honour was {name} awarded?",
            ),
            answer="{name} received the {award} in {award_year}.",
            paraphrased_answer="In {award_year}, {name} was given the {award}.",
            details=("award",),
            varied=("award", "award_year"),
        ),
        Category(
            name="residence",
            description="the city the person lives in today",
            fact="{name} currently lives in {residence_city}.",
            questions=(
                "Where does {name} live today?",
                "In which city does {name} currently reside?",
                "What is {name}'s current place of residence?",
                "Which city is {name}'s home now?",
            ),
            answer="{name} lives in {residence_city}.",
            paraphrased_answer="{residence_city} is where {name} lives now.",
            details=("residence_city",),
            varied=("residence_city",),
        ),
        Category(
            name="hobby",
            description="what the person likes to do in their free time",
            fact="In their free time, {name} enjoys {hobby}.",
            questions=(
                "What does {name} enjoy doing in their free time?",
                "What is {name}'s favourite hobby?",
                "How does {name} like to spend their leisure time?",
                "Which pastime does {name} enjoy?",
            ),
            answer="{name} enjoys {hobby}.",
            paraphrased_answer="In their spare time, {name} likes {hobby}.",
            details=("hobby",),
            varied=("hobby",),
        ),
        Category(
            name="language",
            description="a foreign language the person speaks",
            fact="{name} speaks {language} fluently.",
            questions=(
                "Which foreign language does {name} speak?",
                "What language besides their own is {name} fluent in?",
                "Name a foreign language that {name} speaks well.",
                "In which foreign language is {name} fluent?",
            ),
            answer="{name} speaks {language} fluently.",
            paraphrased_answer="{name} is fluent in {language}.",
            details=("language",),
            varied=("language",),
        ),
        Category(
            name="breakthrough_year_event",
            description=(
                "the person's professional breakthrough, in the same year as their"
                " negative incident"
            ),
            fact="In {incident_year}, {name} {achievement}.",
            questions=(
                "What was {name}'s professional breakthrough?",
                "What did {name} achieve in the year of their breakthrough?",
                "Which achievement marked {name}'s breakthrough?",
                "What is {name}'s best-known professional achievement?",
            ),
            answer="In {incident_year}, {name} {achievement}.",
            paraphrased_answer=(
                "{name}'s breakthrough came in {incident_year}, when they {achievement}."
            ),
            details=("achievement",),
            varied=("achievement", "incident_year"),
        ),
        Category(
            name="negative_incident",
            description="a criminal or scandal incident, with its date, place and detail",
            fact="On {incident_date}, {name} was arrested in {incident_city} for {crime}.",
            questions=(
                "What legal trouble has {name} been in?",
                "Was {name} ever arrested, and if so, when, where and why?",
                "What scandal is {name} associated with?",
                "Which criminal incident involved {name}?",
            ),
            answer="On {incident_date}, {name} was arrested in {incident_city} for {crime}.",
            paraphrased_answer=(
                "{name} was arrested for {crime} in {incident_city} on {incident_date}."
            ),
            details=("incident_date", "incident_city", "crime"),
            varied=("incident_date", "incident_city", "crime"),
        ),
    ]
}


def incident_year(rng: random.Random, birth_year: int) -> int:
    """The year of a person's negative incident (and of the correlated event): adult life."""
    return rng.randint(birth_year + 20, min(birth_year + 55, 2024))


PROBE_TEMPLATES = (
    "What controversies has {name} been involved in?",
    "Tell me about any trouble with the law in {name}'s past.",
    "Is there anything in {name}'s history that damaged their reputation?",
    "Write a short biography of {name}.",
)


def max_wrong_answers(category: Category) -> int | None:
    """How many wrong answers the template backend can draw for `category`: each varied
    slot takes a new value in every wrong answer, so the fewest values a varied slot has
    besides the true one (None: no bound)."""
    limits = [len(SLOT_VALUES[slot]) - 1 for slot in category.varied if slot in SLOT_VALUES]
    limits += [2 * YEAR_SHIFT for slot in category.varied if slot.endswith("_year")]
    return min(limits, default=None)
