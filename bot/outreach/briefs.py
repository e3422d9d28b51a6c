"""Queries behind the pre-inspection briefing: a unit's questions of the year, and the materials
(briefing, handout, cases) recorded with on-site sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.outreach.errors import OutreachError
from bot.outreach.messages import text
from bot.outreach.models import PersonRow, SessionMaterialRow, SessionRow, TurnCitationRow, TurnRow
from bot.outreach.stats import REPORT_TZ
from knowledge.models import ArticleRef

if TYPE_CHECKING:
    from bot.outreach.store import OutreachStore


@dataclass(frozen=True)
class UnitQuestion:
    """A question asked by the unit's people or during an on-site session at the unit."""

    asked_at: datetime
    question: str  # "" once the person asked pufa to forget them
    citations: tuple[ArticleRef, ...]


@dataclass(frozen=True)
class SessionMaterials:
    """What an on-site session used: ``kinds`` (briefing, handout) and the typical cases in them."""

    session_id: int
    started_at: datetime
    kinds: tuple[str, ...]
    case_ids: tuple[str, ...]


def unit_questions(db: Session, unit_id: int, start: date, end: date) -> list[UnitQuestion]:
    """The unit's questions from ``start`` to ``end`` (inclusive, the bureau's calendar days), oldest first."""
    since = datetime.combine(start, time.min, REPORT_TZ)
    until = datetime.combine(end + timedelta(days=1), time.min, REPORT_TZ)
    rows = db.execute(
        select(TurnRow.id, TurnRow.asked_at, TurnRow.question)
        .join(SessionRow, SessionRow.id == TurnRow.session_id)
        .outerjoin(PersonRow, PersonRow.id == TurnRow.person_id)
        .where(or_(PersonRow.unit_id == unit_id, SessionRow.unit_id == unit_id))
        .where(TurnRow.asked_at >= since, TurnRow.asked_at < until, TurnRow.declined.is_(False))
        .order_by(TurnRow.asked_at, TurnRow.id)
    ).all()
    cited: dict[int, list[ArticleRef]] = {}
    ids = [row.id for row in rows]
    for start_at in range(0, len(ids), 500):
        for turn_id, doc_id, article in db.execute(
            select(TurnCitationRow.turn_id, TurnCitationRow.doc_id, TurnCitationRow.article)
            .where(TurnCitationRow.turn_id.in_(ids[start_at : start_at + 500]))
            .order_by(TurnCitationRow.turn_id, TurnCitationRow.doc_id, TurnCitationRow.article)
        ):
            cited.setdefault(turn_id, []).append(ArticleRef(doc_id, article))
    return [UnitQuestion(r.asked_at, r.question or "", tuple(cited.get(r.id, ()))) for r in rows]


def record_materials(
    db: Session,
    session_id: int,
    kinds: Sequence[str],
    brief_date: date,
    case_ids: Sequence[str],
    now: datetime,
) -> None:
    """Record (or replace) the materials of a session, one row per kind."""
    for kind in kinds:
        row = db.scalar(
            select(SessionMaterialRow).where(
                SessionMaterialRow.session_id == session_id, SessionMaterialRow.kind == kind
            )
        )
        if row is None:
            row = SessionMaterialRow(session_id=session_id, kind=kind)
            db.add(row)
        row.brief_date, row.case_ids, row.recorded_at = brief_date, ",".join(case_ids), now
    db.flush()


def materials_of_year(db: Session, year: int) -> list[SessionMaterials]:
    """The on-site sessions of ``year`` that used a briefing or handout, by start time."""
    since, until = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    rows = db.execute(
        select(SessionRow.id, SessionRow.started_at, SessionMaterialRow.kind, SessionMaterialRow.case_ids)
        .join(SessionMaterialRow, SessionMaterialRow.session_id == SessionRow.id)
        .where(SessionRow.started_at >= since, SessionRow.started_at < until)
        .order_by(SessionRow.started_at, SessionRow.id, SessionMaterialRow.kind)
    ).all()
    grouped: dict[int, SessionMaterials] = {}
    for row in rows:
        have = grouped.get(row.id) or SessionMaterials(row.id, row.started_at, (), ())
        cases = tuple(dict.fromkeys([*have.case_ids, *(c for c in row.case_ids.split(",") if c)]))
        grouped[row.id] = SessionMaterials(row.id, row.started_at, (*have.kinds, row.kind), cases)
    return list(grouped.values())


class Briefs:
    """The briefing's reads and the materials' records, over the store's transactions."""

    def __init__(self, store: OutreachStore) -> None:
        self.store = store

    def unit_questions(self, unit_id: int, start: date, end: date) -> list[UnitQuestion]:
        with self.store.reading() as db:
            return unit_questions(db, unit_id, start, end)

    def record_materials(
        self, session_id: int, unit_id: int, kinds: Sequence[str], brief_date: date, case_ids: Sequence[str]
    ) -> None:
        """Record the briefing/handout used at on-site session ``session_id`` (which must be at the unit)."""
        with self.store.writing() as db:
            row = db.get(SessionRow, session_id)
            if row is None or row.kind != "onsite":
                raise OutreachError(text("errors.session_unknown", id=session_id))
            if row.unit_id != unit_id:
                raise OutreachError(text("errors.session_other_unit", id=session_id))
            record_materials(db, session_id, kinds, brief_date, case_ids, self.store.now())

    def materials(self, year: int) -> list[SessionMaterials]:
        """On-site sessions of ``year`` that used briefings, handouts and cases."""
        with self.store.reading() as db:
            return materials_of_year(db, year)
