"""The materials (briefing, handout, typical cases) recorded with on-site sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.records.db import Database
from bot.records.errors import RecordsError
from bot.records.messages import text
from bot.records.models import SessionMaterialRow, SessionRow


@dataclass(frozen=True)
class SessionMaterials:
    """What an on-site session used: ``kinds`` (briefing, handout) and the typical cases in them."""

    session_id: int
    started_at: datetime
    kinds: tuple[str, ...]
    case_ids: tuple[str, ...]


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
        .where(SessionRow.started_at >= since, SessionRow.started_at < until, SessionRow.deleted_at.is_(None))
        .order_by(SessionRow.started_at, SessionRow.id, SessionMaterialRow.kind)
    ).all()
    grouped: dict[int, SessionMaterials] = {}
    for row in rows:
        have = grouped.get(row.id) or SessionMaterials(row.id, row.started_at, (), ())
        cases = tuple(dict.fromkeys([*have.case_ids, *(c for c in row.case_ids.split(",") if c)]))
        grouped[row.id] = SessionMaterials(row.id, row.started_at, (*have.kinds, row.kind), cases)
    return list(grouped.values())


def _check_session(db: Session, session_id: int, unit_id: int) -> None:
    row = db.get(SessionRow, session_id)
    if row is None or row.kind != "onsite" or row.deleted_at is not None:
        raise RecordsError(text("errors.onsite_unknown", id=session_id))
    if row.unit_id != unit_id:
        raise RecordsError(text("errors.session_other_unit", id=session_id))


class Materials:
    """The materials of on-site sessions, over the records database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def record(
        self, session_id: int, unit_id: int, kinds: Sequence[str], brief_date: date, case_ids: Sequence[str]
    ) -> None:
        """Record the briefing/handout used at on-site session ``session_id`` (which must be at the unit)."""
        with self.database.writing() as db:
            _check_session(db, session_id, unit_id)
            record_materials(db, session_id, kinds, brief_date, case_ids, self.database.now())

    def check(self, session_id: int, unit_id: int) -> None:
        """RecordsError unless ``session_id`` is an on-site session at the unit (checked before writing files)."""
        with self.database.reading() as db:
            _check_session(db, session_id, unit_id)

    def of_year(self, year: int) -> list[SessionMaterials]:
        """On-site sessions of ``year`` that used briefings, handouts and cases."""
        with self.database.reading() as db:
            return materials_of_year(db, year)
