"""The queries behind the outreach figures: sessions, coverage of the register, questions, articles."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, case, func, or_, select, union_all
from sqlalchemy.orm import Session

from bot.records.calendar import REPORT_TZ, period_bounds
from bot.records.models import (
    SessionArticleRow,
    SessionDomainRow,
    SessionRow,
    TurnCitationRow,
    TurnDomainRow,
    TurnRow,
    UnitDomainRow,
    UnitRow,
)
from bot.records.reports.figures import ArticleCount, YearStats
from bot.records.reports.labels import MULTIPLE, NO_DOMAIN, article_label, ordered_domains

TOP_N = 10


@dataclass(frozen=True)
class Period:
    """The filters of one report: sessions by start time and questions by time asked, maybe one domain."""

    year: int
    quarter: int | None
    domain: str | None
    sessions: tuple[ColumnElement[bool], ...]
    turns: tuple[ColumnElement[bool], ...]

    @classmethod
    def of(cls, year: int, quarter: int | None, domain: str | None) -> Period:
        start, end = period_bounds(year, quarter)
        sessions = [SessionRow.started_at >= start, SessionRow.started_at < end, SessionRow.deleted_at.is_(None)]
        turns = [TurnRow.asked_at >= start, TurnRow.asked_at < end]
        if domain is not None:
            sessions.append(
                SessionRow.id.in_(
                    select(SessionDomainRow.session_id).where(SessionDomainRow.domain == domain)
                )
            )
            turns.append(TurnRow.id.in_(select(TurnDomainRow.turn_id).where(TurnDomainRow.domain == domain)))
        return cls(year, quarter, domain, tuple(sessions), tuple(turns))

    @property
    def first_day(self) -> date:
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def months(self) -> range:
        return range(1, 13) if self.quarter is None else range(3 * self.quarter - 2, 3 * self.quarter + 1)


@dataclass(frozen=True)
class SessionCounts:
    online: int
    onsite: int
    attendees: int
    by_month: dict[int, dict[str, int]]
    by_month_domain: dict[int, dict[str, int]]
    by_domain: dict[str, dict[str, int]]


def session_bucket(touched: set[str], domain: str | None) -> str:
    """The one domain a session counts under: the domain asked for, its only domain, MULTIPLE when it
    covered several, NO_DOMAIN when none — so that the sessions by domain add up to the total."""
    if domain is not None:
        return domain
    if len(touched) > 1:
        return MULTIPLE
    return next(iter(touched), NO_DOMAIN)


def session_counts(db: Session, period: Period) -> SessionCounts:
    """Sessions of the period by kind, month and domain (each session once: see ``session_bucket``)."""
    session_domains: dict[int, set[str]] = {}
    for session_id, session_domain in db.execute(
        select(SessionDomainRow.session_id, SessionDomainRow.domain)
        .join(SessionRow, SessionRow.id == SessionDomainRow.session_id)
        .where(*period.sessions)
    ):
        session_domains.setdefault(session_id, set()).add(session_domain)
    rows = db.execute(
        select(SessionRow.id, SessionRow.kind, SessionRow.started_at, SessionRow.attendees).where(
            *period.sessions
        )
    ).all()
    buckets = {row.id: session_bucket(session_domains.get(row.id, set()), period.domain) for row in rows}
    series = [period.domain] if period.domain is not None else ordered_domains(set(buckets.values()))
    by_month = {m: {"online": 0, "onsite": 0} for m in period.months}
    by_month_domain = {m: dict.fromkeys(series, 0) for m in period.months}
    by_domain = {d: {"online": 0, "onsite": 0} for d in series}
    kinds: Counter[str] = Counter()
    attendees = 0
    for session_id, kind, started_at, people in rows:
        month = started_at.astimezone(REPORT_TZ).month
        kinds[kind] += 1
        attendees += people or 0
        by_month[month][kind] += 1
        by_month_domain[month][buckets[session_id]] += 1
        by_domain[buckets[session_id]][kind] += 1
    return SessionCounts(kinds["online"], kinds["onsite"], attendees, by_month, by_month_domain, by_domain)


def coverage(db: Session, period: Period) -> tuple[dict[str, int], dict[str, int]]:
    """Units registered (the register now, without units retired before the period: the denominator)
    and units reached, in all and by domain."""
    active = or_(UnitRow.retired_on.is_(None), UnitRow.retired_on > period.first_day)
    registered = dict(
        db.execute(
            select(UnitDomainRow.domain, func.count())
            .join(UnitRow, UnitRow.id == UnitDomainRow.unit_id)
            .where(active)
            .group_by(UnitDomainRow.domain)
        ).all()
    )
    registered["all"] = db.scalar(select(func.count()).select_from(UnitRow).where(active)) or 0
    reached_units = (
        select(SessionRow.unit_id).where(*period.sessions, SessionRow.unit_id.is_not(None)).distinct()
    )
    reached = dict(
        db.execute(
            select(UnitDomainRow.domain, func.count())
            .where(UnitDomainRow.unit_id.in_(reached_units))
            .group_by(UnitDomainRow.domain)
        ).all()
    )
    reached["all"] = db.scalar(select(func.count()).select_from(reached_units.subquery())) or 0
    domain = period.domain
    if domain is not None:
        registered = {"all": registered.get(domain, 0), domain: registered.get(domain, 0)}
        reached = {"all": reached.get(domain, 0), domain: reached.get(domain, 0)}
    return {k: int(v) for k, v in registered.items()}, {k: int(v) for k, v in reached.items()}


def question_counts(db: Session, period: Period) -> tuple[int, int, int, int]:
    """Questions of the period: (total, declined, 👍, 👎)."""
    total, declined, up, down = db.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((TurnRow.declined, 1), else_=0)), 0),
            func.coalesce(func.sum(case((TurnRow.feedback == 1, 1), else_=0)), 0),
            func.coalesce(func.sum(case((TurnRow.feedback == -1, 1), else_=0)), 0),
        ).where(*period.turns)
    ).one()
    return int(total), int(declined), int(up), int(down)


def top_articles(db: Session, period: Period, titles: Mapping[str, str]) -> tuple[ArticleCount, ...]:
    """The articles most cited in answers or explained at on-site sessions (both count alike)."""
    mentions = union_all(
        select(TurnCitationRow.doc_id, TurnCitationRow.article)
        .join(TurnRow, TurnRow.id == TurnCitationRow.turn_id)
        .where(*period.turns),
        select(SessionArticleRow.doc_id, SessionArticleRow.article)
        .join(SessionRow, SessionRow.id == SessionArticleRow.session_id)
        .where(*period.sessions),
    ).subquery()
    cited = func.count().label("cited")
    top = db.execute(
        select(mentions.c.doc_id, mentions.c.article, cited)
        .group_by(mentions.c.doc_id, mentions.c.article)
        .order_by(cited.desc(), mentions.c.doc_id, mentions.c.article)
        .limit(TOP_N)
    ).all()
    return tuple(
        ArticleCount(doc_id, article, int(count), article_label(doc_id, article, titles))
        for doc_id, article, count in top
    )


def compute(
    db: Session, year: int, quarter: int | None, domain: str | None, titles: Mapping[str, str]
) -> YearStats:
    """Aggregate the records for the period (sessions by start time, questions by time asked)."""
    period = Period.of(year, quarter, domain)
    sessions = session_counts(db, period)
    registered, reached = coverage(db, period)
    total, declined, up, down = question_counts(db, period)
    return YearStats(
        year=year,
        quarter=quarter,
        domain=domain,
        online=sessions.online,
        onsite=sessions.onsite,
        attendees=sessions.attendees,
        by_month=sessions.by_month,
        by_month_domain=sessions.by_month_domain,
        by_domain=sessions.by_domain,
        units_registered=registered,
        units_reached=reached,
        questions=total,
        declined=declined,
        feedback_up=up,
        feedback_down=down,
        top_articles=top_articles(db, period, titles),
    )
