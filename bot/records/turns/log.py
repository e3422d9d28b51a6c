"""TurnLog: every answer logged once, in the database or (when it does not answer) the local spool."""

from __future__ import annotations

import dataclasses
import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, timedelta
from typing import Any

from sqlalchemy import select

from bot.records.db import TRANSIENT, Database, reason_of
from bot.records.errors import RecordsError
from bot.records.messages import text
from bot.records.models import PersonRow, TurnRow
from bot.records.turns.record import TurnRecord
from bot.records.turns.spool import Spool
from bot.records.turns.writer import set_feedback, write_turn

log = logging.getLogger(__name__)

_WRITERS = 32


def _aware(turn: TurnRecord) -> TurnRecord:
    if turn.asked_at.tzinfo is None:
        return dataclasses.replace(turn, asked_at=turn.asked_at.replace(tzinfo=UTC))
    return turn


class TurnLog:
    """Turns and their feedback on SQLite or PostgreSQL, with a local spool so no turn is ever lost."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.spool = Spool(database.settings.data_dir)
        self._gap = timedelta(minutes=database.settings.session_gap_minutes)
        # A turn's write runs in these threads so the caller waits at most ``database.deadline_s``,
        # whatever the network does; the database's own timeouts normally fire first.
        self._writers = ThreadPoolExecutor(_WRITERS, thread_name_prefix="pufa-log")

    def close(self) -> None:
        self._writers.shutdown(wait=False, cancel_futures=True)

    def record(self, turn: TurnRecord) -> None:
        """Log one answer. Never raises: when the database fails the turn goes to the spool."""
        turn = _aware(turn)
        database = self.database
        if database.down:
            self._spool_entry({"type": "turn", "turn": turn.to_json()}, "database marked down")
            return
        attempt = self._writers.submit(self._write_turn, turn)
        try:
            attempt.result(timeout=database.deadline_s)
        except FutureTimeout:
            # the network path hangs (no timeout of the database itself fires): the attempt goes on in
            # the background and lands the turn at most once (its uid), the spool keeps it meanwhile
            database.mark_hanging()
            reason = f"no answer within {database.deadline_s:.0f} s"
            self._spool_entry({"type": "turn", "turn": turn.to_json()}, reason)
            return
        except Exception as error:  # noqa: BLE001 - whatever happened, the turn must not be lost
            if isinstance(error, TRANSIENT):
                database.mark_down()
            else:
                log.exception("unexpected error while logging turn %s", turn.uid)
            self._spool_entry({"type": "turn", "turn": turn.to_json()}, reason_of(error))
            return
        database.mark_up()
        if self.spool.pending():
            self.replay()

    def _write_turn(self, turn: TurnRecord) -> None:
        with self.database.raw_writing() as db:
            write_turn(db, turn, self._gap)

    def record_feedback(self, turn_uid: str, value: int) -> bool:
        """Store 👍 (+1) or 👎 (-1) for a turn; False when no such turn was ever logged."""
        if value not in (1, -1):
            raise RecordsError(text("errors.feedback_invalid"))
        entry = {"type": "feedback", "uid": turn_uid, "value": value}
        try:
            with self.database.raw_writing() as db:
                found = set_feedback(db, turn_uid, value)
        except Exception as error:  # noqa: BLE001 - keep the feedback for later, like a turn
            self._spool_entry(entry, reason_of(error))
            return True
        if found:
            return True
        if any(e.get("type") == "turn" and e["turn"]["uid"] == turn_uid for e in self.spool.entries()):
            self._spool_entry(entry, "turn still spooled")
            return True
        return False

    def owner(self, turn_uid: str) -> str | None:
        """The person key of whoever asked turn ``turn_uid`` (database, else spool); None if unknown."""
        try:
            with self.database.raw_reading() as db:
                owner = db.scalar(
                    select(PersonRow.person_key)
                    .join(TurnRow, TurnRow.person_id == PersonRow.id)
                    .where(TurnRow.uid == turn_uid)
                )
        except TRANSIENT as error:
            log.warning("turn owner look-up failed: %s", reason_of(error))
            owner = None
        if owner is not None:
            return owner
        spooled = (e["turn"] for e in self.spool.entries() if e.get("type") == "turn")
        return next((str(t["person_key"]) for t in spooled if t.get("uid") == turn_uid), None)

    def _spool_entry(self, entry: dict[str, Any], reason: str) -> None:
        try:
            self.spool.append(entry)
            log.warning("outreach log entry spooled (%s)", reason)
        except OSError:
            log.exception("could not spool outreach log entry; it is lost: %s", entry.get("type"))

    def _apply(self, entry: dict[str, Any]) -> None:
        """Apply one spooled entry; transient failures propagate, broken entries are set aside."""
        try:
            with self.database.raw_writing() as db:
                if entry.get("type") == "turn":
                    write_turn(db, _aware(TurnRecord.from_json(entry["turn"])), self._gap)
                elif entry.get("type") == "feedback":
                    set_feedback(db, str(entry["uid"]), int(entry["value"]))
                else:
                    raise ValueError(f"unknown spool entry type {entry.get('type')!r}")
        except TRANSIENT:
            raise
        except Exception:  # noqa: BLE001 - a broken entry must not block the ones behind it
            log.exception("spool entry rejected, kept in %s", self.spool.rejected_path)
            self.spool.reject(entry)

    def replay(self) -> int:
        """Replay the spool into the database (each turn lands once); returns entries applied.

        Safe to call at any time, e.g. periodically from the bot's job queue.
        """
        try:
            applied = self.spool.replay(self._apply)
        except TRANSIENT as error:
            log.warning("spool replay postponed, database not answering: %s", reason_of(error))
            self.database.mark_down()
            return 0
        if applied:
            self.database.mark_up()
            log.info("replayed %d spooled outreach log entries", applied)
        return applied
