"""A generated question and the quiz's error."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from knowledge.errors import PufaError

# Question kinds, in the order papers list them; "fill" has no choices.
KINDS = ("article", "penalty", "authority", "deadline", "truefalse", "fill")
CHOICE_KINDS = KINDS[:-1]


class QuizError(PufaError):
    """A quiz request that cannot be met (unknown topic or kind, no questions)."""


@dataclass(frozen=True)
class Question:
    """One question with its answer, the article it comes from and that article verbatim."""

    kind: str
    topic: str
    question: str
    choices: tuple[str, ...]
    answer: str
    doc_id: str
    article: int
    citation: str  # the article's full citation line with its version
    text: str  # the article verbatim
    evidence: str  # the sentence (or item) of the article the answer is read from
    notice: str = ""  # amendment notice of the document, if any
    source: str = ""  # the short citation for tables: 《行政处罚法》第十条

    @property
    def id(self) -> str:
        """Stable across papers: the same stem and answer give the same id whatever the choice order."""
        key = "|".join((self.kind, self.doc_id, str(self.article), self.question, self.answer))
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]

    @property
    def answer_index(self) -> int:
        return self.choices.index(self.answer) if self.choices else -1

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "topic": self.topic,
            "question": self.question,
            "choices": list(self.choices),
            "answer": self.answer,
            "doc_id": self.doc_id,
            "article": self.article,
            "citation": self.citation,
            "text": self.text,
            "evidence": self.evidence,
            "notice": self.notice,
            "source": self.source,
        }
