"""What a briefing says about one unit: profile, this year's questions and their articles, the checklist of
its domains' obligations with their penalties, typical cases, and the handout's few rules."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from bot.records.services import Records
from bot.records.units.records import Unit
from knowledge.cases.lookup import cite_case
from knowledge.law.domains import REGULATED
from knowledge.law.library import Library
from knowledge.law.obligations import Obligation, domain_obligations
from knowledge.models import ArticleRef, CitedCase

MAX_CASES = 2
HANDOUT_LINES = 36  # estimated printed lines of handout items that fit one A4 page with its title and footer
HANDOUT_LINE_CHARS = 38  # characters per printed line of the handout (10.5 pt on A4 with 2 cm margins)


@dataclass(frozen=True)
class CheckItem:
    """One checklist line: the duty, its article and the penalty for breaching it (short citations)."""

    obligation: Obligation
    article: str
    penalty: str
    asked: bool  # the unit asked about this article this year


@dataclass(frozen=True)
class AskedQuestion:
    """A question of the unit with the articles its answer rested on (short citations)."""

    asked_at: datetime
    question: str
    articles: tuple[str, ...]


@dataclass(frozen=True)
class Briefing:
    unit: Unit
    start: date
    end: date
    questions: list[AskedQuestion]
    articles: list[tuple[str, int]]  # short citation, times cited, most first
    checklist: list[CheckItem]
    cases: list[CitedCase]
    handout: list[CheckItem]


def build_briefing(store: Records, library: Library, unit_query: str, on: date) -> Briefing:
    """The briefing for the unit named by ``unit_query`` as of ``on`` (questions since 1 January)."""
    unit = store.units.find(unit_query)
    start = date(on.year, 1, 1)
    questions = store.questions.between(unit.id, start, on)
    counts = Counter(ref for q in questions for ref in q.citations if ref in library.articles)
    asked = set(counts)
    domains = [d for d in unit.domains if d in REGULATED] or list(REGULATED)
    checklist = [
        CheckItem(
            o, library.short_citation(o.obligation), library.short_citation(o.penalty), o.obligation in asked
        )
        for domain in domains
        for o in domain_obligations(library, domain)
    ]
    cases = _cases(library, domains, asked)
    return Briefing(
        unit=unit,
        start=start,
        end=on,
        questions=[
            AskedQuestion(
                q.asked_at,
                q.question,
                tuple(library.short_citation(r) for r in q.citations if r in library.articles),
            )
            for q in questions
        ],
        articles=[(library.short_citation(ref), n) for ref, n in counts.most_common()],
        checklist=checklist,
        cases=cases,
        handout=_handout(checklist, sum(_lines(c.case.party + c.case.lesson) for c in cases)),
    )


def _cases(library: Library, domains: list[str], asked: set[ArticleRef]) -> list[CitedCase]:
    """Cases of the unit's domains; those governed by articles the unit asked about first."""
    cited = [cite_case(library, case) for case in library.cases.values()]
    fitting = [c for c in cited if set(c.domains) & set(domains)]
    fitting.sort(key=lambda c: -len(asked & set(c.case.today)))
    return fitting[:MAX_CASES]


def _lines(text: str) -> int:
    return math.ceil((len(text) + 8) / HANDOUT_LINE_CHARS)


def _handout(checklist: list[CheckItem], reserved: int) -> list[CheckItem]:
    """The rules that matter most for the unit (asked-about first, one per article) within one page,
    ``reserved`` lines being taken by the cases; items sanctioned alike end up next to each other."""
    ordered = [item for item in checklist if item.asked] + [item for item in checklist if not item.asked]
    chosen: list[CheckItem] = []
    seen: set[ArticleRef] = set()
    lines = reserved
    for item in ordered:
        if item.obligation.obligation in seen:
            continue
        sanction = (item.obligation.penalty, item.obligation.range)
        shared = any((c.obligation.penalty, c.obligation.range) == sanction for c in chosen)
        needed = _lines(item.obligation.duty + item.article) + (
            0 if shared else _lines(item.obligation.range)
        )
        if lines + needed > HANDOUT_LINES:
            continue
        chosen.append(item)
        seen.add(item.obligation.obligation)
        lines += needed
    penalties = list(dict.fromkeys((item.obligation.penalty, item.obligation.range) for item in chosen))
    return sorted(chosen, key=lambda item: penalties.index((item.obligation.penalty, item.obligation.range)))
