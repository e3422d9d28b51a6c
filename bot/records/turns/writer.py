"""Writing one turn: find or create the person, attach the turn to its session, store it once.

This is the hot path of every answer, so its statements are built once (Core, bound parameters).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from bot.records.models import (
    SessionDomainRow,
    SessionInspectorRow,
    SessionRow,
    TurnCitationRow,
    TurnDomainRow,
    TurnRow,
)
from bot.records.rows import insert_ignoring_conflicts, person_for_update, storable, table_of
from bot.records.turns.record import TurnRecord

# Bound parameter names differ from column names: in an UPDATE, Core reads such names as SET values.
_TURN_STORED = select(TurnRow.id).where(TurnRow.uid == bindparam("uid"))
_ONSITE = (
    select(SessionRow.id)
    .where(
        SessionRow.kind == "onsite",
        SessionRow.deleted_at.is_(None),
        SessionRow.started_at <= bindparam("at"),
        or_(SessionRow.ended_at.is_(None), SessionRow.ended_at >= bindparam("at")),
        or_(
            SessionRow.unit_id == bindparam("unit"),
            SessionRow.id.in_(
                select(SessionInspectorRow.session_id).where(
                    SessionInspectorRow.person_id == bindparam("pid")
                )
            ),
        ),
    )
    .order_by(SessionRow.started_at.desc())
    .limit(1)
)
_NEAREST_ONLINE = (
    select(SessionRow.id, SessionRow.started_at, SessionRow.last_activity_at)
    .where(
        SessionRow.person_id == bindparam("pid"),
        SessionRow.kind == "online",
        SessionRow.deleted_at.is_(None),
        SessionRow.started_at <= bindparam("latest"),
        SessionRow.last_activity_at >= bindparam("earliest"),
    )
    .order_by(SessionRow.last_activity_at.desc())
    .limit(1)
)
_STRETCH = (
    update(SessionRow)
    .where(SessionRow.id == bindparam("sid"))
    .values(started_at=bindparam("start"), last_activity_at=bindparam("last"), ended_at=bindparam("last"))
)
_NEW_ONLINE = insert(SessionRow).returning(SessionRow.id)
_FEEDBACK = update(TurnRow).where(TurnRow.uid == bindparam("turn_uid")).values(feedback=bindparam("vote"))


def _session_for(db: Session, person_id: int, unit_id: int | None, turn: TurnRecord, gap: timedelta) -> int:
    """The session the turn belongs to: an on-site one running at the person's unit (or led by them),
    else their online session within ``gap`` of it, else a new online session."""
    at = turn.asked_at
    onsite = db.scalar(_ONSITE, {"at": at, "unit": unit_id, "pid": person_id})
    if onsite is not None:
        return onsite
    # A turn replayed from the spool may be older than turns already stored: it joins the session
    # it falls within (stretching its start back), so a late write never opens a second session.
    near = db.execute(_NEAREST_ONLINE, {"pid": person_id, "latest": at + gap, "earliest": at - gap}).first()
    if near is not None:
        start, last = min(near.started_at, at), max(near.last_activity_at, at)
        if (start, last) != (near.started_at, near.last_activity_at):
            db.execute(_STRETCH, {"sid": near.id, "start": start, "last": last})
        return near.id
    return db.scalars(
        _NEW_ONLINE,
        {
            "kind": "online",
            "channel": turn.channel,
            "person_id": person_id,
            "unit_id": unit_id,
            "started_at": at,
            "last_activity_at": at,
            "ended_at": at,
            "inspection_no": "",
            "note": "",
        },
    ).one()


def write_turn(db: Session, turn: TurnRecord, gap: timedelta) -> bool:
    """Store ``turn`` in the open transaction; False (and nothing written) if its uid is already stored."""
    if db.scalar(_TURN_STORED, {"uid": turn.uid}) is not None:
        return False
    person_id, unit_id = person_for_update(db, turn.person_key, turn.display_name, turn.asked_at)
    session_id = _session_for(db, person_id, unit_id, turn, gap)
    turn_id = db.scalar(
        insert_ignoring_conflicts(db, TurnRow).returning(TurnRow.id),
        {
            "uid": turn.uid,
            "session_id": session_id,
            "person_id": person_id,
            "channel": turn.channel,
            "asked_at": turn.asked_at,
            "question": storable(turn.question),
            "answer_mode": turn.answer_mode,
            "declined": turn.declined,
            "latency_ms": turn.latency_ms,
        },
    )
    if turn_id is None:  # a concurrent replay stored the same uid first
        db.rollback()
        return False
    citations = sorted({(ref.doc_id, ref.article) for ref in turn.citations})
    if citations:
        db.execute(
            insert(table_of(TurnCitationRow)),
            [{"turn_id": turn_id, "doc_id": doc, "article": number} for doc, number in citations],
        )
    domains = sorted(set(turn.domains))
    if domains:
        db.execute(insert(table_of(TurnDomainRow)), [{"turn_id": turn_id, "domain": d} for d in domains])
        db.execute(
            insert_ignoring_conflicts(db, SessionDomainRow),
            [{"session_id": session_id, "domain": d} for d in domains],
        )
    return True


def set_feedback(db: Session, uid: str, value: int) -> bool:
    """Record 👍 (+1) / 👎 (-1) on the stored turn ``uid``; False if there is none."""
    return bool(cast(CursorResult[Any], db.execute(_FEEDBACK, {"turn_uid": uid, "vote": value})).rowcount)
