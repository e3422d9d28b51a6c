"""Looking cases up: by article reference or by the words of their text (``pufa cases``, ``/cases``),
and citing the articles that govern them today."""

from __future__ import annotations

from knowledge.law.library import Library
from knowledge.law.obligations import article_domains
from knowledge.models import ArticleRef, Case, CitedCase
from knowledge.retrieval.lexical import tokenize


def find_cases(library: Library, query: str = "") -> list[Case]:
    """All cases for an empty query; those governed by the article a reference names
    (``人遗条例第三十六条``); else those whose text contains the query's words, best first."""
    cases = list(library.cases.values())
    query = query.strip()
    if not query:
        return cases
    _, reference = library.parser.parse(query)
    if reference is not None:
        refs = {ArticleRef(doc.id, reference.article) for doc in reference.documents}
        return [case for case in cases if refs & set(case.today)]
    terms = {t for t in tokenize(query) if len(t) >= 2} or {query}
    scored = [(sum(len(t) for t in terms if t in _haystack(case)), case) for case in cases]
    return [case for score, case in sorted(scored, key=lambda pair: -pair[0]) if score > 0]


def _haystack(case: Case) -> str:
    return " ".join((case.id, case.party, case.authority, case.facts, case.basis_then, case.lesson))


def cite_case(library: Library, case: Case) -> CitedCase:
    """The case with its ``today`` articles as ``《标题》第N条``."""
    rules = tuple(library.short_citation(ref) for ref in case.today)
    domains = sorted({d for ref in case.today for d in article_domains(library, ref)})
    return CitedCase(case, rules, tuple(domains))
