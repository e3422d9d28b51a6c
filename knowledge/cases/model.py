"""One typical case: who, what they did, what followed, the basis then and the provisions that govern it today."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledge.models import ArticleRef


@dataclass(frozen=True)
class Case:
    """A published or bureau case; ``today`` names articles of the current corpus, ``source`` its file."""

    id: str
    party: str
    facts: str
    penalty: tuple[str, ...]
    basis_then: str
    today: tuple[ArticleRef, ...]
    lesson: str
    decided: str = ""
    decided_note: str = ""
    authority: str = ""
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON shape (``pufa cases --json``, the snapshot): ``today`` as ``{"doc_id", "article"}`` objects."""
        return {
            "id": self.id,
            "party": self.party,
            "decided": self.decided,
            "decided_note": self.decided_note,
            "authority": self.authority,
            "facts": self.facts,
            "penalty": list(self.penalty),
            "basis_then": self.basis_then,
            "today": [ref.as_dict() for ref in self.today],
            "lesson": self.lesson,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Case:
        """The inverse of :meth:`as_dict`."""
        return cls(
            **{
                **raw,
                "penalty": tuple(raw["penalty"]),
                "today": tuple(ArticleRef(t["doc_id"], int(t["article"])) for t in raw["today"]),
            }
        )

    @property
    def title(self) -> str:
        """What a reader sees instead of the id: ``苏州药明康德新药开发股份有限公司案（2016年）``."""
        year = self.decided[:4]
        return f"{self.party}案（{year}年）" if year.isdigit() else f"{self.party}案"

    @property
    def text(self) -> str:
        """What the matcher compares a question with: the facts and the lesson."""
        return f"{self.facts}{self.lesson}"


@dataclass(frozen=True)
class CitedCase:
    """A case as an answer or a briefing shows it: ``rules`` are its ``today`` articles as short citations,
    ``domains`` those of the documents they belong to."""

    case: Case
    rules: tuple[str, ...]
    domains: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.case.id
