"""What a briefing says about one unit: profile, earlier on-site sessions and inspections, this year's questions
and their articles, a short checklist of its domains' obligations with their penalties, typical cases, the
versions quoted, and the handout's rules for every domain of the unit."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from bot.records.services import Records
from bot.records.sessions.records import OnsiteSession
from bot.records.units.records import Unit
from knowledge.cases.lookup import cite_case
from knowledge.law.citations import amendment_notice
from knowledge.law.domains import REGULATED
from knowledge.law.library import Library
from knowledge.law.numerals import to_chinese
from knowledge.law.obligations import Obligation, domain_obligations
from knowledge.models import ArticleRef, CitedCase

MAX_CASES = 2
MAX_CHECKLIST = 15  # rows of the brief's checklist
CHECKLIST_LINES = 44  # estimated printed table lines the checklist may fill (the brief keeps to two pages)
DUTY_LINE_CHARS = 22  # characters per line in the checklist's duty column (9 pt, 7.6 cm)
PENALTY_LINE_CHARS = 11  # characters per line in its penalty column (9 pt, 3.6 cm)
HISTORY_YEARS = 3  # earlier on-site sessions listed: this year and the two before
HANDOUT_LINES = 27  # estimated printed lines of handout rules that fit one A4 page beside the fixed parts
HANDOUT_LINE_CHARS = 40  # characters per printed line of the handout (10 pt on A4 with 1.8 cm margins)
STATE_PREFIX = "中华人民共和国"  # left out of short titles, as official documents cite 《行政处罚法》
_FINE = re.compile(r"处(?:以)?([^，；。]*?元以下)罚款")
_SANCTIONS = re.compile(r"给予([^；。]+?)(?:的行政处罚|；|$)")
_ACTOR = re.compile(
    r"^(?:[^：]*：)?由.*?(?:部门|海关|单位|委员会)(?:（[^）]*）)?(?:依照|视情节轻重，?|根据[^，]*?)?"
)


@dataclass(frozen=True)
class CheckItem:
    """One checklist line: the duty, its article and the penalty for breaching it (short citations)."""

    obligation: Obligation
    article: str
    penalty: str  # the penalty article, short: 第二十九条 (same law) or 《生物安全法》第八十条
    sanction: str  # the sanction in a few words: 罚款50万元以上500万元以下
    asked: bool  # the unit asked about this article this year
    domain: str


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
    history: list[OnsiteSession]  # on-site sessions at the unit before ``end``, oldest first
    questions: list[AskedQuestion]
    articles: list[tuple[str, int]]  # short citation, times cited, most first
    checklist: list[CheckItem]
    cases: list[CitedCase]
    versions: list[str]  # one line per document the checklist quotes: its version, truthfully
    handout: list[CheckItem]
    notes: list[str]  # the amendment notes of the documents the handout quotes (who is in charge now)


def short_title(title: str) -> str:
    return title.removeprefix(STATE_PREFIX)


def short_ref(library: Library, ref: ArticleRef, within: str = "") -> str:
    """``《实验动物管理条例》第八条``; just ``第八条`` when ``within`` names the same document."""
    label = f"第{to_chinese(ref.article)}条"
    if ref.doc_id == within:
        return label
    return f"《{short_title(library.document(ref.doc_id).title)}》{label}"


def short_sanction(summary: str) -> str:
    """The sanction of a penalty summary in a few words: its first fine range, else what it gives, else the
    summary's first clause without who acts."""
    fine = _FINE.search(summary)
    if fine:
        return f"罚款{fine.group(1)}"
    given = _SANCTIONS.search(summary)
    if given:
        return given.group(1)
    return _ACTOR.sub("", summary.split("；")[0]).strip("，")


def build_briefing(store: Records, library: Library, unit_query: str, on: date) -> Briefing:
    """The briefing for the unit named by ``unit_query`` as of ``on`` (questions since 1 January)."""
    unit = store.units.find(unit_query)
    start = date(on.year, 1, 1)
    questions = store.questions.between(unit.id, start, on)
    counts = Counter(ref for q in questions for ref in q.citations if ref in library.articles)
    asked = set(counts)
    domains = [d for d in unit.domains if d in REGULATED] or list(REGULATED)
    candidates = _candidates(library, domains, asked)
    checklist = _checklist(candidates)
    cases = _cases(library, domains, asked)
    handout = _handout(candidates, reserved=sum(_lines(c.case.party + c.case.lesson) for c in cases[:1]))
    history = [
        session
        for year in range(on.year - HISTORY_YEARS + 1, on.year + 1)
        for session in store.sessions.list(year, unit=unit.credit_code)
        if session.started_at.date() <= on
    ]
    return Briefing(
        unit=unit,
        start=start,
        end=on,
        history=history,
        questions=[
            AskedQuestion(
                q.asked_at,
                q.question,
                tuple(short_ref(library, r) for r in q.citations if r in library.articles),
            )
            for q in questions
        ],
        articles=[(short_ref(library, ref), n) for ref, n in counts.most_common()],
        checklist=checklist,
        cases=cases,
        versions=_versions(library, checklist),
        handout=handout,
        notes=_notes(library, handout),
    )


def _candidates(library: Library, domains: list[str], asked: set[ArticleRef]) -> list[CheckItem]:
    """One item per obligation article (its first duty), per domain: asked-about articles first, then in
    file order; the domains interleaved so that each gets its share."""
    per_domain: list[list[CheckItem]] = []
    for domain in domains:
        items: dict[ArticleRef, CheckItem] = {}
        for o in domain_obligations(library, domain):
            if o.obligation in items:
                continue
            items[o.obligation] = CheckItem(
                o,
                short_ref(library, o.obligation),
                short_ref(library, o.penalty, within=o.obligation.doc_id),
                short_sanction(o.range),
                o.obligation in asked,
                domain,
            )
        ordered = sorted(items.values(), key=lambda item: not item.asked)
        per_domain.append(ordered)
    merged: list[CheckItem] = []
    seen: set[ArticleRef] = set()
    for rank in range(max((len(ranked) for ranked in per_domain), default=0)):
        for ranked in per_domain:
            if rank < len(ranked) and ranked[rank].obligation.obligation not in seen:
                merged.append(ranked[rank])
                seen.add(ranked[rank].obligation.obligation)
    return merged


def _rows(item: CheckItem) -> int:
    duty = math.ceil(len(item.obligation.duty) / DUTY_LINE_CHARS)
    penalty = math.ceil(len(f"{item.penalty}：{item.sanction}") / PENALTY_LINE_CHARS)
    return max(duty, penalty, 2)


def _checklist(candidates: list[CheckItem]) -> list[CheckItem]:
    """At most MAX_CHECKLIST items within CHECKLIST_LINES printed lines, in the candidates' order."""
    chosen: list[CheckItem] = []
    lines = 0
    for item in candidates:
        if len(chosen) == MAX_CHECKLIST:
            break
        if lines + _rows(item) <= CHECKLIST_LINES:
            chosen.append(item)
            lines += _rows(item)
    return chosen


def _versions(library: Library, items: list[CheckItem]) -> list[str]:
    """For each document quoted: its version, and for a text amended since, what the amendment changed."""
    lines = []
    for doc_id in dict.fromkeys(item.obligation.obligation.doc_id for item in items):
        doc = library.document(doc_id)
        title = short_title(doc.title)
        if doc.status == "current":
            when = f"{doc.version_date.isoformat()}版本，" if doc.version_date else ""
            lines.append(f"《{title}》：{when}现行有效。")
        else:
            lines.append(f"《{title}》：{amendment_notice(doc, library.catalog)}")
    return lines


def _notes(library: Library, items: list[CheckItem]) -> list[str]:
    docs = (library.document(d) for d in dict.fromkeys(i.obligation.obligation.doc_id for i in items))
    return [f"《{short_title(doc.title)}》：{doc.amendment_note}" for doc in docs if doc.amendment_note]


def _cases(library: Library, domains: list[str], asked: set[ArticleRef]) -> list[CitedCase]:
    """Cases of the unit's domains; those governed by articles the unit asked about first."""
    cited = [cite_case(library, case) for case in library.cases.values()]
    fitting = [c for c in cited if set(c.domains) & set(domains)]
    fitting.sort(key=lambda c: -len(asked & set(c.case.today)))
    return fitting[:MAX_CASES]


def _lines(text: str) -> int:
    return math.ceil((len(text) + 8) / HANDOUT_LINE_CHARS)


def _handout(candidates: list[CheckItem], reserved: int) -> list[CheckItem]:
    """The rules that matter most for the unit (the candidates' order: asked-about first, domains
    interleaved) within one page, ``reserved`` lines being taken by a case; grouped by domain, and within
    it items sanctioned alike next to each other."""
    chosen: list[CheckItem] = []
    lines = reserved
    for item in candidates:
        sanction = (item.domain, item.obligation.penalty, item.sanction)
        shared = any((c.domain, c.obligation.penalty, c.sanction) == sanction for c in chosen)
        needed = _lines(item.obligation.duty + item.article) + (0 if shared else 1)
        if lines + needed > HANDOUT_LINES:
            continue
        chosen.append(item)
        lines += needed
    domains = list(dict.fromkeys(item.domain for item in candidates))
    penalties = list(dict.fromkeys((item.obligation.penalty, item.sanction) for item in chosen))
    return sorted(
        chosen,
        key=lambda item: (
            domains.index(item.domain),
            penalties.index((item.obligation.penalty, item.sanction)),
        ),
    )
