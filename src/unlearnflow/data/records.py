"""Record types of the benchmark files (one pydantic model per JSONL file)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Profile(Record):
    """A fictional person (`data/profiles.jsonl`); holdout people are never trained on."""

    person_id: str
    name: str
    gender: str
    birth_year: int
    birth_city: str
    birth_country: str
    occupation: str
    holdout: bool = False


def person_id(index: int, people: int) -> str:
    """`p0000`... for the `people` trained on, then `h0000`... for the holdout people."""
    return f"p{index:04d}" if index < people else f"h{index - people:04d}"


class Fact(Record):
    """One fact about one person (`data/facts.jsonl`).

    `details` are the answer-bearing parts of `text`, each verbatim in it: what a
    correct answer must contain and what a leaking answer would reveal. `slots`
    holds the typed values a template filled in (empty for LLM-written facts).
    """

    fact_id: str
    person_id: str
    category: str
    text: str
    details: list[str] = Field(min_length=1)
    forget: bool
    correlated: bool
    slots: dict[str, str] = Field(default_factory=dict)


class QA(Record):
    """A question-answer pair (`data/sf.jsonl`, `data/sr.jsonl`, `data/holdout.jsonl`)."""

    qa_id: str
    fact_id: str
    person_id: str
    category: str
    question: str
    answer: str
    forget: bool
    correlated: bool


class WrongDetails(Record):
    """Paraphrases and same-type wrong answers of one question (`data/wrong_details.jsonl`)."""

    qa_id: str
    paraphrased_questions: list[str] = Field(min_length=1)
    paraphrased_answer: str
    wrong_answers: list[str] = Field(min_length=1)


class ForgetProbe(Record):
    """A free-form prompt that probes a forget fact indirectly (`data/forget_probes.jsonl`)."""

    probe_id: str
    qa_id: str
    person_id: str
    prompt: str
    key_details: list[str] = Field(min_length=1)


class Passage(Record):
    """A raw text: a document of a raw-text benchmark's corpus (MUSE, WMDP), trained on
    by next-token loss, or scored whole by the membership attacks."""

    passage_id: str
    text: str = Field(min_length=1)


class Continuation(Record):
    """A text's opening and the rest of it: the model continues `prompt`, and its
    continuation is compared with `continuation` (MUSE's verbatim memorization)."""

    continuation_id: str
    prompt: str = Field(min_length=1)
    continuation: str = Field(min_length=1)


class MultipleChoice(Record):
    """A question with lettered choices, `answer` the index of the right one (WMDP's and
    MMLU's); `subject` names the topic the prompt's description gives."""

    question_id: str
    subject: str
    question: str = Field(min_length=1)
    choices: list[str] = Field(min_length=2)
    answer: int = Field(ge=0)


class QADraft(Record):
    """Everything generated for one fact: the QA row and its wrong details."""

    question: str
    answer: str
    paraphrased_questions: list[str]
    paraphrased_answer: str
    wrong_answers: list[str]

    def split(self, fact: Fact, qa_id: str) -> tuple[QA, WrongDetails]:
        qa = QA(
            qa_id=qa_id,
            fact_id=fact.fact_id,
            person_id=fact.person_id,
            category=fact.category,
            question=self.question,
            answer=self.answer,
            forget=fact.forget,
            correlated=fact.correlated,
        )
        details = WrongDetails(
            qa_id=qa_id,
            paraphrased_questions=self.paraphrased_questions,
            paraphrased_answer=self.paraphrased_answer,
            wrong_answers=self.wrong_answers,
        )
        return qa, details
