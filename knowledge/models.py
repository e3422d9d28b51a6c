"""Plain data types shared by ingest, retrieval, answers and every surface."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal


@dataclass(frozen=True, order=True)
class ArticleRef:
    """One article of one document, named by the manifest id and the article number."""

    doc_id: str
    article: int

    def as_dict(self) -> dict[str, str | int]:
        return {"doc_id": self.doc_id, "article": self.article}


@dataclass(frozen=True)
class Paragraph:
    """One 款 of an article; ``items`` are its 项 lines such as ``（一）……``."""

    text: str
    items: tuple[str, ...] = ()

    def render(self) -> str:
        return "\n".join((self.text, *self.items)) if self.text else "\n".join(self.items)


@dataclass(frozen=True)
class Article:
    """One 条 with its place in the document and its paragraphs (款) in order."""

    doc_id: str
    number: int
    label: str  # as printed, e.g. "第二十二条"
    paragraphs: tuple[Paragraph, ...]
    chapter: str = ""
    section: str = ""
    line: int = 0  # 1-based line in the source file where the article starts

    @property
    def ref(self) -> ArticleRef:
        return ArticleRef(self.doc_id, self.number)

    @property
    def text(self) -> str:
        """The article verbatim, 款 separated by newlines, without its label."""
        return "\n".join(p.render() for p in self.paragraphs)


@dataclass(frozen=True)
class Document:
    """A document of the corpus: its catalog metadata and, once parsed, its articles."""

    id: str
    title: str
    file: str
    level: str = ""
    issuer: str = ""
    doc_number: str = ""
    promulgated: date | None = None
    effective: date | None = None
    version_date: date | None = None
    status: str = "current"
    amended_by: str = ""
    amendment_note: str = ""
    history: str = ""
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class MissingDocument:
    """A document the bureau relies on whose text is not in the corpus."""

    title: str
    level: str = ""
    issuer: str = ""
    doc_number: str = ""
    promulgated: date | None = None
    effective: date | None = None
    history: str = ""
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One retrieved article: its score (higher is better: the fused score, or once the learned ranker has
    ordered the hits, the ranker's shares in rank order), and the evidence behind it."""

    ref: ArticleRef
    score: float
    title: str
    dense: float = 0.0  # cosine similarity of the best part, 0 when not in the dense list
    lexical: float = 0.0  # BM25 score, 0 when no term matched
    share: float = 0.0  # the learned ranker's belief that this is the article asked about (0 when not ranked)


@dataclass(frozen=True)
class QuotedArticle:
    """An article as an answer quotes it: citation line, verbatim text, version notice."""

    ref: ArticleRef
    citation: str
    text: str
    notice: str = ""


AnswerMode = Literal["extractive", "llm"]


@dataclass
class Answer:
    """What every surface renders. ``citations`` is every article the answer quotes."""

    question: str
    conclusion: str
    basis: list[QuotedArticle] = field(default_factory=list)
    compliance: list[str] = field(default_factory=list)
    liability: list[QuotedArticle] = field(default_factory=list)
    liability_summary: list[str] = field(default_factory=list)
    advice: str = ""
    notices: list[str] = field(default_factory=list)
    declined: bool = False
    mode: AnswerMode = "extractive"
    confident: bool = True  # False when the answer names the provisions that may apply instead of one rule
    domains: list[str] = field(default_factory=list)
    cases: list[CitedCase] = field(
        default_factory=list
    )  # typical cases illustrating the answer (at most two)

    @property
    def citations(self) -> list[ArticleRef]:
        seen: dict[ArticleRef, None] = {}
        for quoted in (*self.basis, *self.liability):
            seen.setdefault(quoted.ref, None)
        return list(seen)


@dataclass(frozen=True)
class CiteResult:
    """An explicit reference's outcome: the quoted article (one per version asked), or why not."""

    quotes: tuple[QuotedArticle, ...] = ()
    message: str = ""

    @property
    def found(self) -> bool:
        return bool(self.quotes)

    @property
    def quoted(self) -> QuotedArticle | None:
        return self.quotes[0] if self.quotes else None


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
