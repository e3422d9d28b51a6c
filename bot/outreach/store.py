"""OutreachStore: the one object surfaces use to log turns, run on-site sessions and report."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Engine, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, sessionmaker

from bot.outreach import stats
from bot.outreach.db import ensure_migrated, is_sqlite, make_engine
from bot.outreach.errors import DatabaseUnavailable, NotMigratedError, OutreachError
from bot.outreach.messages import text
from bot.outreach.models import (
    ROLES,
    PersonRow,
    SessionDomainRow,
    SessionInspectorRow,
    SessionRow,
    TurnCitationRow,
    TurnRow,
    UnitDomainRow,
    UnitRow,
)
from bot.outreach.records import HistoryItem, OnsiteSession, Unit
from bot.outreach.sessions import onsite_record
from bot.outreach.spool import Spool
from bot.outreach.stats import Row
from bot.outreach.turns import TurnRecord
from bot.outreach.units import find_unit, unit_record
from bot.outreach.uscc import InvalidCreditCode, normalize_credit_code
from bot.outreach.validate import MAX_ATTENDEES, check_domains
from bot.outreach.writer import insert_ignoring_conflicts, person_for_update, set_feedback, write_turn
from bot.settings import Settings
from knowledge.law.domains import REGULATED
from knowledge.models import ArticleRef

__all__ = ["InvalidCreditCode", "NotMigratedError", "OutreachError", "OutreachStore"]

log = logging.getLogger(__name__)

# Failures that mean "the database is not answering right now": keep the entry and retry later.
TRANSIENT = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.ProgrammingError,
    sa_exc.TimeoutError,
    sa_exc.DisconnectionError,
)
_WRITERS = 32


def _reason(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    first_line = (str(original).strip().splitlines() or [type(original).__name__])[0]
    return first_line[:200]


def _aware(turn: TurnRecord) -> TurnRecord:
    if turn.asked_at.tzinfo is None:
        return dataclasses.replace(turn, asked_at=turn.asked_at.replace(tzinfo=UTC))
    return turn


class OutreachStore:
    """The outreach log on SQLite or PostgreSQL, with a local spool so no turn is ever lost."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        retry_after_s: float = 5.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.spool = Spool(settings.data_dir)
        self._gap = timedelta(minutes=settings.session_gap_minutes)
        self._writes = sessionmaker(engine, expire_on_commit=False)
        self._reads = sessionmaker(engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False)
        self._retry_after_s = retry_after_s
        self._down_until = 0.0
        self._clock = clock or (lambda: datetime.now(UTC))
        self._roles: dict[str, str] = {}  # last role read per person, used while the database is down
        # A turn's write runs in these threads so the caller waits at most ``_deadline_s``, whatever the
        # network does; the database's own timeouts (statement, lock, busy, pool) normally fire first.
        self._writers = ThreadPoolExecutor(_WRITERS, thread_name_prefix="pufa-log")
        own_timeout = (
            settings.db_sqlite_busy_timeout_s
            if is_sqlite(str(engine.url))
            else settings.db_statement_timeout_s
        )
        self._deadline_s = own_timeout + settings.db_pool_timeout_s + 1.0

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        retry_after_s: float = 5.0,
        clock: Callable[[], datetime] | None = None,
    ) -> OutreachStore:
        """Connect, check the schema is at head (NotMigratedError otherwise) and replay the spool.

        A database that does not answer at all is not fatal: turns are spooled until it does. Every
        wait is bounded by the settings' timeouts (SQLite busy timeout, PostgreSQL statement and lock
        timeouts, pool timeout), so a stalled database sends turns to the spool instead of holding them.
        """
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(
            settings.effective_database_url,
            settings.db_sqlite_busy_timeout_s,
            statement_timeout_s=settings.db_statement_timeout_s,
            pool_timeout_s=settings.db_pool_timeout_s,
            connect_timeout_s=settings.db_connect_timeout_s,
        )
        try:
            ensure_migrated(engine)
        except NotMigratedError:
            engine.dispose()
            raise
        except TRANSIENT as error:
            log.warning("outreach database not answering at start-up, spooling: %s", _reason(error))
        store = cls(engine, settings, retry_after_s=retry_after_s, clock=clock)
        store.replay()
        return store

    def close(self) -> None:
        self._writers.shutdown(wait=False, cancel_futures=True)
        self.engine.dispose()

    # --- transactions -------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._writes.begin() as db:
            yield db

    def writing(self) -> AbstractContextManager[Session]:
        """A write transaction; database failures surface as DatabaseUnavailable (Chinese message)."""
        return self._guarded(self._writes)

    def reading(self) -> AbstractContextManager[Session]:
        """A read-only transaction, guarded like ``writing``."""
        return self._guarded(self._reads)

    def now(self) -> datetime:
        """The store's clock (UTC); tests set it."""
        return self._clock()

    @contextmanager
    def _guarded(self, maker: sessionmaker[Session]) -> Iterator[Session]:
        """A transaction whose database failures surface as DatabaseUnavailable (Chinese message)."""
        try:
            with maker.begin() as db:
                yield db
        except TRANSIENT as error:
            raise DatabaseUnavailable(_reason(error)) from error

    # --- turns and the spool ------------------------------------------------------------------

    def record_turn(self, turn: TurnRecord) -> None:
        """Log one answer. Never raises: when the database fails the turn goes to the spool."""
        turn = _aware(turn)
        if time.monotonic() < self._down_until:
            self._spool_entry({"type": "turn", "turn": turn.to_json()}, "database marked down")
            return
        attempt = self._writers.submit(self._write_turn, turn)
        try:
            attempt.result(timeout=self._deadline_s)
        except FutureTimeout:
            # the network path hangs (no timeout of the database itself fires): the attempt goes on in
            # the background and lands the turn at most once (its uid), the spool keeps it meanwhile
            self._down_until = time.monotonic() + self._retry_after_s
            reason = f"no answer within {self._deadline_s:.0f} s"
            self._spool_entry({"type": "turn", "turn": turn.to_json()}, reason)
            return
        except Exception as error:  # noqa: BLE001 - whatever happened, the turn must not be lost
            if isinstance(error, TRANSIENT):
                self._mark_down()
            else:
                log.exception("unexpected error while logging turn %s", turn.uid)
            self._spool_entry({"type": "turn", "turn": turn.to_json()}, _reason(error))
            return
        self._down_until = 0.0
        if self.spool.pending():
            self.replay()

    def _write_turn(self, turn: TurnRecord) -> None:
        with self._write() as db:
            write_turn(db, turn, self._gap)

    def _mark_down(self) -> None:
        """Spool without trying for a while; on SQLite also drop pooled connections, so the next try
        reopens the file (one opened read-only stays read-only even after the file became writable)."""
        self._down_until = time.monotonic() + self._retry_after_s
        if self.engine.dialect.name == "sqlite":
            self.engine.dispose()

    def record_feedback(self, turn_uid: str, value: int) -> bool:
        """Store 👍 (+1) or 👎 (-1) for a turn; False when no such turn was ever logged."""
        if value not in (1, -1):
            raise OutreachError(text("errors.feedback_invalid"))
        entry = {"type": "feedback", "uid": turn_uid, "value": value}
        try:
            with self._write() as db:
                found = set_feedback(db, turn_uid, value)
        except Exception as error:  # noqa: BLE001 - keep the feedback for later, like a turn
            self._spool_entry(entry, _reason(error))
            return True
        if found:
            return True
        if any(e.get("type") == "turn" and e["turn"]["uid"] == turn_uid for e in self.spool.entries()):
            self._spool_entry(entry, "turn still spooled")
            return True
        return False

    def _spool_entry(self, entry: dict[str, Any], reason: str) -> None:
        try:
            self.spool.append(entry)
            log.warning("outreach log entry spooled (%s)", reason)
        except OSError:
            log.exception("could not spool outreach log entry; it is lost: %s", entry.get("type"))

    def _apply(self, entry: dict[str, Any]) -> None:
        """Apply one spooled entry; transient failures propagate, broken entries are set aside."""
        try:
            with self._write() as db:
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
            log.warning("spool replay postponed, database not answering: %s", _reason(error))
            self._mark_down()
            return 0
        if applied:
            self._down_until = 0.0
            log.info("replayed %d spooled outreach log entries", applied)
        return applied

    # --- people and units -----------------------------------------------------------------------

    def role_of(self, person_key: str) -> str:
        """``admin`` for ids in PUFA_ADMIN_IDS, else the stored role (``lab`` by default)."""
        number = person_key.rpartition(":")[2]
        if number.isascii() and number.isdigit() and int(number) in self.settings.admin_ids:
            return "admin"
        if time.monotonic() < self._down_until:
            return self._roles.get(person_key, "lab")
        try:
            with self._reads.begin() as db:
                role = db.scalar(select(PersonRow.role).where(PersonRow.person_key == person_key))
        except TRANSIENT as error:
            log.warning(
                "role look-up failed, using the last known role of %s: %s", person_key, _reason(error)
            )
            self._mark_down()
            return self._roles.get(person_key, "lab")
        self._roles[person_key] = role or "lab"
        return role or "lab"

    def turn_owner(self, turn_uid: str) -> str | None:
        """The person key of whoever asked turn ``turn_uid`` (database, else spool); None if unknown."""
        try:
            with self._reads.begin() as db:
                owner = db.scalar(
                    select(PersonRow.person_key)
                    .join(TurnRow, TurnRow.person_id == PersonRow.id)
                    .where(TurnRow.uid == turn_uid)
                )
        except TRANSIENT as error:
            log.warning("turn owner look-up failed: %s", _reason(error))
            owner = None
        if owner is not None:
            return owner
        spooled = (e["turn"] for e in self.spool.entries() if e.get("type") == "turn")
        return next((str(t["person_key"]) for t in spooled if t.get("uid") == turn_uid), None)

    def set_role(self, person_key: str, role: str, display_name: str = "") -> None:
        """Make a person an inspector, lab user or admin (/grant, /revoke)."""
        if role not in ROLES:
            raise OutreachError(text("errors.unknown_role", role=role))
        with self._guarded(self._writes) as db:
            person_id, _ = person_for_update(db, person_key, display_name, self.now())
            db.execute(update(PersonRow).where(PersonRow.id == person_id).values(role=role))
        self._roles[person_key] = role

    def register(
        self,
        person_key: str,
        display_name: str,
        unit_name: str,
        credit_code: str,
        domains: tuple[str, ...] = (),
        licence_no: str = "",
    ) -> Unit:
        """Record which unit a person works for, registering the unit if new."""
        with self._guarded(self._writes) as db:
            unit = self._upsert_unit(db, unit_name, credit_code, domains, licence_no)
            person_id, _ = person_for_update(db, person_key, display_name, self.now())
            db.execute(update(PersonRow).where(PersonRow.id == person_id).values(unit_id=unit.id))
            return unit_record(unit)

    def _upsert_unit(
        self, db: Session, name: str, credit_code: str, domains: tuple[str, ...], licence_no: str
    ) -> UnitRow:
        code = normalize_credit_code(credit_code)
        name = name.strip()
        if not name:
            raise OutreachError(text("errors.unit_name_empty"))
        wanted = check_domains(domains, REGULATED)
        db.execute(
            insert_ignoring_conflicts(db, UnitRow).values(
                name=name, credit_code=code, licence_no=licence_no.strip() or None, created_at=self.now()
            )
        )
        unit = db.scalars(select(UnitRow).where(UnitRow.credit_code == code).with_for_update()).one()
        if licence_no.strip():
            unit.licence_no = licence_no.strip()
        have = {d.domain for d in unit.domains}
        unit.domains.extend(UnitDomainRow(domain=d) for d in wanted if d not in have)
        db.flush()
        return unit

    # --- on-site sessions -------------------------------------------------------------------------

    def _require_inspector(self, inspector_key: str) -> None:
        if self.role_of(inspector_key) not in ("inspector", "admin"):
            raise OutreachError(text("errors.not_inspector"))

    def _open_session_of(self, db: Session, person_id: int) -> SessionRow | None:
        return db.scalar(
            select(SessionRow)
            .join(SessionInspectorRow, SessionInspectorRow.session_id == SessionRow.id)
            .where(SessionInspectorRow.person_id == person_id)
            .where(SessionRow.kind == "onsite", SessionRow.ended_at.is_(None))
            .limit(1)
        )

    def start_onsite(
        self, inspector_key: str, unit_query: str, inspection_no: str = "", *, at: datetime | None = None
    ) -> OnsiteSession:
        """Open an on-site session at a unit (or join the one another inspector has open there)."""
        self._require_inspector(inspector_key)
        started = at or self.now().replace(microsecond=0)  # Telegram dates messages to the second
        with self._guarded(self._writes) as db:
            inspector_id, _ = person_for_update(db, inspector_key, "", started)
            unit = find_unit(db, unit_query)
            already = self._open_session_of(db, inspector_id)
            if already is not None:
                unit_row = db.get(UnitRow, already.unit_id) if already.unit_id else None
                name = unit_row.name if unit_row else ""
                raise OutreachError(text("errors.onsite_already_open", unit=name))
            session_row = db.scalar(
                select(SessionRow)
                .where(
                    SessionRow.kind == "onsite", SessionRow.unit_id == unit.id, SessionRow.ended_at.is_(None)
                )
                .with_for_update()
                .limit(1)
            )
            if session_row is None:
                session_row = SessionRow(
                    kind="onsite",
                    channel="onsite",
                    unit_id=unit.id,
                    started_at=started,
                    last_activity_at=started,
                    inspection_no=inspection_no.strip(),
                    note="",
                )
                db.add(session_row)
                db.flush()
                domains = [{"session_id": session_row.id, "domain": d.domain} for d in unit.domains]
                if domains:
                    db.execute(insert_ignoring_conflicts(db, SessionDomainRow), domains)
            db.add(SessionInspectorRow(session_id=session_row.id, person_id=inspector_id))
            db.flush()
            return onsite_record(db, session_row)

    def end_onsite(
        self, inspector_key: str, attendees: int, note: str = "", *, at: datetime | None = None
    ) -> OnsiteSession:
        """Close the inspector's open on-site session with the attendance and a note."""
        if not 0 <= attendees <= MAX_ATTENDEES:
            raise OutreachError(text("errors.attendees_invalid"))
        with self._guarded(self._writes) as db:
            person_id = db.scalar(select(PersonRow.id).where(PersonRow.person_key == inspector_key))
            session_row = self._open_session_of(db, person_id) if person_id is not None else None
            if session_row is None:
                raise OutreachError(text("errors.onsite_not_open"))
            ended = at or self.now()
            session_row.ended_at = session_row.last_activity_at = max(ended, session_row.started_at)
            session_row.attendees = attendees
            session_row.note = note.strip()
            db.flush()
            return onsite_record(db, session_row)

    def open_onsite(self, inspector_key: str) -> OnsiteSession | None:
        """The inspector's open on-site session, if any."""
        with self._guarded(self._reads) as db:
            person_id = db.scalar(select(PersonRow.id).where(PersonRow.person_key == inspector_key))
            session_row = self._open_session_of(db, person_id) if person_id is not None else None
            return None if session_row is None else onsite_record(db, session_row)

    # --- privacy --------------------------------------------------------------------------------

    def history(self, person_key: str, limit: int = 10) -> list[HistoryItem]:
        """The person's own latest questions, newest first."""
        with self._guarded(self._reads) as db:
            rows = db.execute(
                select(TurnRow, SessionRow.kind)
                .join(SessionRow, SessionRow.id == TurnRow.session_id)
                .join(PersonRow, PersonRow.id == TurnRow.person_id)
                .where(PersonRow.person_key == person_key)
                .order_by(TurnRow.asked_at.desc(), TurnRow.id.desc())
                .limit(limit)
            ).all()
            cited: dict[int, list[ArticleRef]] = {}
            ids = [turn.id for turn, _ in rows]
            for turn_id, doc_id, article in db.execute(
                select(TurnCitationRow.turn_id, TurnCitationRow.doc_id, TurnCitationRow.article)
                .where(TurnCitationRow.turn_id.in_(ids))
                .order_by(TurnCitationRow.doc_id, TurnCitationRow.article)
            ):
                cited.setdefault(turn_id, []).append(ArticleRef(doc_id, article))
        return [
            HistoryItem(
                asked_at=turn.asked_at,
                question=turn.question or "",
                answer_mode=turn.answer_mode,
                declined=turn.declined,
                citations=tuple(cited.get(turn.id, ())),
                session_kind=kind,
                feedback=turn.feedback,
            )
            for turn, kind in rows
        ]

    def forget(self, person_key: str) -> int:
        """Erase a person's name, Telegram id and question texts; counts stay. Returns questions erased."""
        self.replay()  # so no spooled question of theirs comes back afterwards
        with self._guarded(self._writes) as db:
            person = db.scalar(select(PersonRow).where(PersonRow.person_key == person_key).with_for_update())
            if person is None:
                return 0
            erased = cast(
                CursorResult[Any],
                db.execute(
                    update(TurnRow)
                    .where(TurnRow.person_id == person.id, TurnRow.question.is_not(None))
                    .values(question=None)
                ),
            ).rowcount
            person.person_key = None
            person.display_name = ""
            person.forgotten_at = self.now()
            return int(erased or 0)

    # --- reports --------------------------------------------------------------------------------

    def stats(
        self,
        year: int,
        quarter: int | None = None,
        domain: str | None = None,
        titles: Mapping[str, str] | None = None,
    ) -> stats.YearStats:
        """The year's (or quarter's) figures; ``titles`` maps doc_id to a title for article labels."""
        if quarter is not None and quarter not in (1, 2, 3, 4):
            raise OutreachError(text("errors.quarter_invalid"))
        if domain is not None:
            (domain,) = check_domains((domain,))
        with self._guarded(self._reads) as db:
            return stats.compute(db, year, quarter, domain, titles or {})

    def session_rows(self, year: int, titles: Mapping[str, str] | None = None) -> list[Row]:
        """One export row per session of ``year``, in order of start."""
        with self._guarded(self._reads) as db:
            return stats.session_rows(db, year, titles or {})
