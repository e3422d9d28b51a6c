"""On-site sessions as entered (``SessionInput``) and as stored (``OnsiteSession``, detached)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.records.calendar import REPORT_TZ
from bot.records.models import (
    PersonRow,
    SessionArticleRow,
    SessionDomainRow,
    SessionInspectorRow,
    SessionRow,
    TurnRow,
    UnitRow,
)
from bot.records.units.records import Unit
from bot.records.units.register import unit_record
from knowledge.law import domains as corpus_domains
from knowledge.models import ArticleRef

DEFAULT_START = time(9, 0)
DEFAULT_MINUTES = 60


@dataclass(frozen=True)
class OnsiteSession:
    """An on-site outreach session; ``ended_at`` is None while it is open."""

    id: int
    unit: Unit
    inspectors: tuple[str, ...]
    started_at: datetime
    ended_at: datetime | None
    inspection_no: str
    attendees: int | None
    note: str
    questions: int
    domains: tuple[str, ...]
    topic: str = ""
    articles: tuple[ArticleRef, ...] = ()
    recorded_by: str = ""


@dataclass(frozen=True)
class SessionInput:
    """An on-site session as entered. Its domains are ``domains`` when chosen, else those of what was
    taught (``article_domains``, by each article's subject, and the domains its ``topic`` names), else —
    when the record says nothing of what was taught — the unit's own."""

    unit: str
    day: date
    attendees: int
    start: time = DEFAULT_START
    minutes: int = DEFAULT_MINUTES
    domains: tuple[str, ...] = ()
    inspection_no: str = ""
    topic: str = ""
    inspectors: tuple[str, ...] = ()
    articles: tuple[ArticleRef, ...] = ()
    inspector_keys: tuple[str, ...] = ()  # users of the bot present (``tg:<id>``), besides names
    article_domains: tuple[str, ...] = ()  # the subjects of ``articles`` (set with them)

    def taught_domains(self) -> tuple[str, ...]:
        """The domains of what was taught: the articles' subjects and the domains the topic names."""
        named = {code for code, title in corpus_domains.labels().items() if title and title in self.topic}
        return tuple(sorted({*self.article_domains, *named}))


def started_at(entry: SessionInput) -> datetime:
    """When the session began, in UTC (its date and time are the bureau's local ones)."""
    return datetime.combine(entry.day, entry.start, tzinfo=REPORT_TZ).astimezone(UTC)


def onsite_record(db: Session, row: SessionRow) -> OnsiteSession:
    """The detached record of an on-site session row."""
    unit = db.get(UnitRow, row.unit_id) if row.unit_id is not None else None
    assert unit is not None, "on-site sessions always have a unit"
    names = db.scalars(
        select(PersonRow.display_name)
        .join(SessionInspectorRow, SessionInspectorRow.person_id == PersonRow.id)
        .where(SessionInspectorRow.session_id == row.id)
        .order_by(PersonRow.id)
    ).all()
    domains = db.scalars(
        select(SessionDomainRow.domain).where(SessionDomainRow.session_id == row.id).order_by("domain")
    ).all()
    articles = db.execute(
        select(SessionArticleRow.doc_id, SessionArticleRow.article)
        .where(SessionArticleRow.session_id == row.id)
        .order_by(SessionArticleRow.doc_id, SessionArticleRow.article)
    ).all()
    questions = db.scalar(select(func.count()).select_from(TurnRow).where(TurnRow.session_id == row.id))
    return OnsiteSession(
        id=row.id,
        unit=unit_record(unit),
        inspectors=tuple(names),
        started_at=row.started_at,
        ended_at=row.ended_at,
        inspection_no=row.inspection_no,
        attendees=row.attendees,
        note=row.note,
        questions=questions or 0,
        domains=tuple(domains),
        topic=row.topic,
        articles=tuple(ArticleRef(doc, number) for doc, number in articles),
        recorded_by=row.recorded_by,
    )


def session_dict(session: OnsiteSession, kind: str = "onsite") -> dict[str, Any]:
    """What ``pufa outreach list --json`` prints (and the audit keeps) for a session."""
    start = session.started_at.astimezone(REPORT_TZ)
    return {
        "id": session.id,
        "kind": kind,
        "unit": session.unit.name,
        "credit_code": session.unit.credit_code,
        "date": start.date().isoformat(),
        "time": start.strftime("%H:%M"),
        "end": "" if session.ended_at is None else session.ended_at.astimezone(REPORT_TZ).strftime("%H:%M"),
        "attendees": session.attendees,
        "domains": list(session.domains),
        "inspectors": list(session.inspectors),
        "inspection_no": session.inspection_no,
        "topic": session.topic,
        "articles": [ref.as_dict() for ref in session.articles],
        "questions": session.questions,
        "recorded_by": session.recorded_by,
    }


def session_input(session: OnsiteSession) -> SessionInput:
    """The input that would record ``session`` as it is (the base of a correction)."""
    start = session.started_at.astimezone(REPORT_TZ)
    end = session.ended_at or session.started_at
    return SessionInput(
        unit=session.unit.credit_code,
        day=start.date(),
        attendees=session.attendees or 0,
        start=start.time().replace(second=0, microsecond=0),
        minutes=max(0, int((end - session.started_at).total_seconds() // 60)),
        domains=session.domains,
        inspection_no=session.inspection_no,
        topic=session.topic,
        inspectors=session.inspectors,
        articles=session.articles,
    )


def input_of(recorded: dict[str, Any]) -> SessionInput:
    """The input that records again a session kept as ``session_dict`` (to undo a correction)."""
    start = time.fromisoformat(recorded["time"])
    end = time.fromisoformat(recorded["end"]) if recorded.get("end") else start
    minutes = max(0, (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute))
    return SessionInput(
        unit=recorded["credit_code"],
        day=date.fromisoformat(recorded["date"]),
        attendees=recorded["attendees"] or 0,
        start=start,
        minutes=minutes,
        domains=tuple(recorded["domains"]),
        inspection_no=recorded["inspection_no"],
        topic=recorded["topic"],
        inspectors=tuple(recorded["inspectors"]),
        articles=tuple(ArticleRef(a["doc_id"], int(a["article"])) for a in recorded["articles"]),
    )
