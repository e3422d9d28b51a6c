"""The export rows: one row per session of the year (``pufa export``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import case, func, select, union
from sqlalchemy.orm import Session

from bot.records.calendar import REPORT_TZ, period_bounds
from bot.records.messages import text
from bot.records.models import (
    PersonRow,
    SessionArticleRow,
    SessionDomainRow,
    SessionInspectorRow,
    SessionRow,
    TurnCitationRow,
    TurnRow,
    UnitRow,
)
from bot.records.reports.labels import article_label, domain_label

Row = list[str | int]


def _local(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(REPORT_TZ).strftime("%Y-%m-%d %H:%M")


def session_rows(db: Session, year: int, titles: Mapping[str, str]) -> list[Row]:
    """The export rows (header excluded), sessions in order of start."""
    start, end = period_bounds(year, None)
    in_year = (SessionRow.started_at >= start, SessionRow.started_at < end, SessionRow.deleted_at.is_(None))
    inspectors: dict[int, list[str]] = {}
    for session_id, name in db.execute(
        select(SessionInspectorRow.session_id, PersonRow.display_name)
        .join(PersonRow, PersonRow.id == SessionInspectorRow.person_id)
        .join(SessionRow, SessionRow.id == SessionInspectorRow.session_id)
        .where(*in_year)
        .order_by(SessionInspectorRow.session_id, PersonRow.id)
    ):
        inspectors.setdefault(session_id, []).append(name)
    counts = {
        session_id: (asked, declined)
        for session_id, asked, declined in db.execute(
            select(TurnRow.session_id, func.count(), func.sum(case((TurnRow.declined, 1), else_=0)))
            .join(SessionRow, SessionRow.id == TurnRow.session_id)
            .where(*in_year)
            .group_by(TurnRow.session_id)
        )
    }
    mentions = union(  # cited in answers, or explained at the session
        select(TurnRow.session_id, TurnCitationRow.doc_id, TurnCitationRow.article)
        .join(TurnRow, TurnRow.id == TurnCitationRow.turn_id)
        .join(SessionRow, SessionRow.id == TurnRow.session_id)
        .where(*in_year),
        select(SessionArticleRow.session_id, SessionArticleRow.doc_id, SessionArticleRow.article)
        .join(SessionRow, SessionRow.id == SessionArticleRow.session_id)
        .where(*in_year),
    ).subquery()
    cited: dict[int, list[str]] = {}
    for session_id, doc_id, article in db.execute(
        select(mentions).order_by(mentions.c.session_id, mentions.c.doc_id, mentions.c.article)
    ):
        cited.setdefault(session_id, []).append(article_label(doc_id, article, titles))
    domains: dict[int, list[str]] = {}
    for session_id, domain in db.execute(
        select(SessionDomainRow.session_id, SessionDomainRow.domain)
        .join(SessionRow, SessionRow.id == SessionDomainRow.session_id)
        .where(*in_year)
        .order_by(SessionDomainRow.session_id, SessionDomainRow.domain)
    ):
        domains.setdefault(session_id, []).append(domain_label(domain))
    rows: list[Row] = []
    for session, unit_name, credit_code in db.execute(
        select(SessionRow, UnitRow.name, UnitRow.credit_code)
        .outerjoin(UnitRow, UnitRow.id == SessionRow.unit_id)
        .where(*in_year)
        .order_by(SessionRow.started_at, SessionRow.id)
    ):
        asked, declined = counts.get(session.id, (0, 0))
        rows.append(
            [
                session.id,
                text(f"labels.kind_{session.kind}"),
                unit_name or "",
                credit_code or "",
                _local(session.started_at),
                _local(session.ended_at),
                "、".join(inspectors.get(session.id, [])),
                session.inspection_no,
                "" if session.attendees is None else session.attendees,
                int(asked),
                int(declined or 0),
                text("export.joiner").join(cited.get(session.id, [])),
                "、".join(domains.get(session.id, [])),
                session.note,
                session.topic,
            ]
        )
    return rows
