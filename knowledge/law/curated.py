"""Curated knowledge written for this project (data files in ``knowledge/data/``).

- ``faq.toml``: common questions with a plain conclusion, compliance points, advice and the articles they rest on;
- ``penalty_links.toml``: which liability article enforces which obligation, with the sanction's range;
- ``expansions.toml``: everyday phrasings of what an article is about (added to its search text);
- ``vocabulary.toml``: everyday words and the legal terms for the same thing (lexical search only);
- ``scope.toml``: kinds of request pufa does not serve, and example questions outside its remit;
- ``requests.toml``: labelled requests, served or declined by kind, for the learned request classifier;
- ``english_titles.toml``: English names of the documents we hold, by document id.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from knowledge.law.catalog import Catalog
from knowledge.models import ArticleRef

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True)
class FaqEntry:
    id: str
    domain: str
    questions: tuple[str, ...]
    conclusion: str
    compliance: tuple[str, ...]
    advice: str
    refs: tuple[ArticleRef, ...]


@dataclass(frozen=True)
class PenaltyLink:
    obligation: ArticleRef
    penalty: ArticleRef
    penalty_phrase: str
    range: str
    obligation_phrase: str = ""


def _load(name: str) -> dict:
    with (DATA_DIR / name).open("rb") as handle:
        return tomllib.load(handle)


def _ref(raw: dict) -> ArticleRef:
    return ArticleRef(raw["doc"], int(raw["article"]))


@cache
def english_titles() -> dict[str, tuple[str, ...]]:
    """Document id → the English names people give it."""
    return {doc_id: tuple(names) for doc_id, names in _load("english_titles.toml")["names"].items()}


@cache
def faq_entries() -> tuple[FaqEntry, ...]:
    return tuple(
        FaqEntry(
            id=raw["id"],
            domain=raw.get("domain", ""),
            questions=tuple(raw["questions"]),
            conclusion=raw["conclusion"],
            compliance=tuple(raw.get("compliance", ())),
            advice=raw.get("advice", ""),
            refs=tuple(_ref(ref) for ref in raw["refs"]),
        )
        for raw in _load("faq.toml").get("faq", [])
    )


@cache
def penalty_links() -> tuple[PenaltyLink, ...]:
    return tuple(
        PenaltyLink(
            _ref(raw["obligation"]),
            _ref(raw["penalty"]),
            raw.get("penalty_phrase", ""),
            raw.get("range", ""),
            raw.get("obligation_phrase", ""),
        )
        for raw in _load("penalty_links.toml").get("link", [])
    )


@cache
def expansions() -> dict[ArticleRef, tuple[str, ...]]:
    return {
        ArticleRef(raw["doc"], int(raw["article"])): tuple(raw["phrases"])
        for raw in _load("expansions.toml").get("article", [])
    }


def phrasings_for(ref: ArticleRef, catalog: Catalog) -> tuple[str, ...]:
    """Curated phrasings of an article, or of the same article in another version of the law."""
    table = expansions()
    if ref in table:
        return table[ref]
    doc = catalog.get(ref.doc_id)
    siblings = catalog.versions(doc.title) if doc else []
    return next((table[s] for s in (ArticleRef(d.id, ref.article) for d in siblings) if s in table), ())


@dataclass(frozen=True)
class Term:
    """A legal term, the everyday words for it, and words showing those mean something else."""

    legal: str
    everyday: tuple[str, ...]
    unless: tuple[str, ...] = ()


@cache
def vocabulary() -> tuple[Term, ...]:
    return tuple(
        Term(raw["legal"], tuple(raw["everyday"]), tuple(raw.get("unless", ())))
        for raw in _load("vocabulary.toml").get("term", [])
    )


@lru_cache(maxsize=16)  # one answer asks it of its question in several places; a few answers' worth
def with_legal_terms(text: str) -> str:
    """``text`` followed by the legal terms for the everyday words it uses (and does not already name)."""
    upper = text.upper()
    added = [
        term.legal
        for term in vocabulary()
        if term.legal not in text
        and any(word.upper() in upper for word in term.everyday)
        and not any(word in text for word in term.unless)
    ]
    return " ".join((text, *added))


@dataclass(frozen=True)
class UnservedRequest:
    """A kind of task pufa does not do, recognised by the form of the request."""

    name: str
    pattern: re.Pattern[str]


@cache
def unserved_requests() -> tuple[UnservedRequest, ...]:
    return tuple(
        UnservedRequest(raw["name"], re.compile(raw["pattern"]))
        for raw in _load("scope.toml").get("request", [])
    )


@cache
def out_of_scope_examples() -> tuple[str, ...]:
    return tuple(example for group in _load("scope.toml").get("group", []) for example in group["examples"])


@dataclass(frozen=True)
class RequestExample:
    kind: str  # "serve", or the kind of request declined
    text: str


@cache
def request_examples() -> tuple[RequestExample, ...]:
    """The labelled requests of ``requests.toml``, and every curated FAQ question and article phrasing as
    requests pufa serves (the request classifier adds the bank's questions)."""
    labelled = [
        RequestExample(group["kind"], text)
        for group in _load("requests.toml").get("example", [])
        for text in group["texts"]
    ]
    served = [q for entry in faq_entries() for q in entry.questions]
    served += [p for phrases in expansions().values() for p in phrases]
    return (*labelled, *(RequestExample("serve", text) for text in served))
