"""Questions asked by a unit's people or at its on-site sessions (what the pre-inspection briefing reads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.records.calendar import REPORT_TZ
from bot.records.db import Database
from bot.records.models import PersonRow, SessionRow, TurnCitationRow, TurnRow
from knowledge.models import ArticleRef


@dataclass(frozen=True)
class UnitQuestion:
    """A question asked by the unit's people or during an on-site session at the unit."""

    asked_at: datetime
    question: str  # "" once the person asked pufa to forget them
    citations: tuple[ArticleRef, ...]


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


class UnitQuestions:
    """A unit's questions, over the records database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def between(self, unit_id: int, start: date, end: date) -> list[UnitQuestion]:
        """The unit's questions from ``start`` to ``end`` (inclusive), oldest first."""
        with self.database.reading() as db:
            return unit_questions(db, unit_id, start, end)
