"""Every figure of the annual report, read through the records services (bot/records/reports and friends):
the report prints these and nothing else, so each number traces back to the records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.records.reports.figures import YearStats
from bot.records.reports.labels import domain_label
from bot.records.reports.rows import Row
from bot.records.services import Records
from bot.records.sessions.materials import SessionMaterials
from bot.records.sessions.records import OnsiteSession
from bot.records.training.report import TrainingReport
from bot.records.units.records import Unit
from knowledge.law.domains import REGULATED

UNIT_CODE_COLUMN = 3  # the credit code in the export rows (bot/records/reports/rows.py)
DECLINED_SHARE = 0.2  # a domain whose share of declined answers reaches this is named a problem


@dataclass(frozen=True)
class DomainAnswers:
    """The year's questions in one domain and how they were received."""

    domain: str
    questions: int
    declined: int
    disliked: int  # 👎
    liked: int  # 👍

    @property
    def label(self) -> str:
        return domain_label(self.domain)

    @property
    def troubled(self) -> bool:
        declined = self.questions and self.declined / self.questions >= DECLINED_SHARE
        return bool(declined) or self.disliked > self.liked


@dataclass(frozen=True)
class AnnualFigures:
    year: int
    stats: YearStats  # sessions by kind, month and domain; coverage; questions; top articles
    onsite: list[OnsiteSession]  # the year's on-site sessions, in order of date
    units: list[Unit]  # the register
    unreached: list[Unit]  # registered units no session of the year reached
    training: TrainingReport
    materials: list[SessionMaterials]  # on-site sessions that used a brief, a handout or cases
    case_titles: dict[str, str]
    answers: list[DomainAnswers]  # by regulated domain
    appendix: list[Row]  # every session of the year (the export rows)

    @property
    def inspections(self) -> int:
        """Inspections, counted as the distinct inspection numbers of the on-site sessions."""
        return len({s.inspection_no for s in self.onsite if s.inspection_no})

    @property
    def onsite_with_inspection(self) -> int:
        """On-site sessions held during an inspection (以检代普): those carrying an inspection number."""
        return sum(1 for s in self.onsite if s.inspection_no)

    @property
    def units_by_domain(self) -> dict[str, int]:
        return {d: sum(1 for u in self.units if d in u.domains) for d in REGULATED}

    @property
    def cases_used(self) -> list[str]:
        """Titles of the cases used at on-site sessions (a case once however often)."""
        ids = dict.fromkeys(c for m in self.materials for c in m.case_ids)
        return [self.case_titles.get(c, c) for c in ids]

    @property
    def sessions_briefed(self) -> int:
        return sum(1 for m in self.materials if "briefing" in m.kinds)


def gather(
    records: Records,
    year: int,
    titles: Mapping[str, str],
    case_titles: Mapping[str, str],
    today: date | None = None,
) -> AnnualFigures:
    """The year's figures from the records (``titles``: doc_id → title for article labels)."""
    stats = records.reports.stats(year, titles=titles)
    appendix = records.reports.session_rows(year, titles)
    reached = {str(row[UNIT_CODE_COLUMN]) for row in appendix if row[UNIT_CODE_COLUMN]}
    units = records.units.list()
    answers = []
    for domain in REGULATED:
        scoped = records.reports.stats(year, domain=domain, titles=titles)
        answers.append(
            DomainAnswers(domain, scoped.questions, scoped.declined, scoped.feedback_down, scoped.feedback_up)
        )
    return AnnualFigures(
        year=year,
        stats=stats,
        onsite=records.sessions.list(year),
        units=units,
        unreached=[u for u in units if u.credit_code not in reached],
        training=records.training.report(year, today),
        materials=records.materials.of_year(year),
        case_titles=dict(case_titles),
        answers=answers,
        appendix=appendix,
    )
