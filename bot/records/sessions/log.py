"""On-site sessions: opened and closed live (/outreach_start, /outreach_end), or recorded after the fact
(CLI, the bot's guided conversation, a spreadsheet), corrected and deleted, each change kept in the audit."""

from __future__ import annotations

import builtins
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.records.batches import apply_batch, note_change, undo_batch
from bot.records.calendar import REPORT_TZ, local_date, period_bounds
from bot.records.db import Database
from bot.records.errors import RecordsError
from bot.records.messages import text
from bot.records.models import (
    ImportBatchRow,
    PersonRow,
    SessionArticleRow,
    SessionDomainRow,
    SessionInspectorRow,
    SessionRow,
    UnitRow,
)
from bot.records.people import People
from bot.records.rows import insert_ignoring_conflicts, person_for_update
from bot.records.sessions.audit import changed_fields, describe_changes, read_audit, write_audit
from bot.records.sessions.records import (
    OnsiteSession,
    SessionInput,
    input_of,
    onsite_record,
    session_dict,
    session_input,
    started_at,
)
from bot.records.sessions.sheet import SESSION_COLUMNS, ArticleResolver, session_entry
from bot.records.sheets import ImportReport, SheetLimits, read_sheet
from bot.records.units.register import find_unit
from bot.records.validate import MAX_ATTENDEES, check_attendees, check_domains


class OnsiteLog:
    """On-site sessions over the records database; ``people`` says who is an inspector."""

    def __init__(self, database: Database, people: People) -> None:
        self.database = database
        self.people = people

    def today(self) -> date:
        return local_date(self.database.now())

    # --- live sessions (Telegram) ---------------------------------------------------------------

    def _open_session_of(self, db: Session, person_id: int) -> SessionRow | None:
        return db.scalar(
            select(SessionRow)
            .join(SessionInspectorRow, SessionInspectorRow.session_id == SessionRow.id)
            .where(SessionInspectorRow.person_id == person_id)
            .where(SessionRow.kind == "onsite", SessionRow.ended_at.is_(None))
            .limit(1)
        )

    def start(
        self, inspector_key: str, unit_query: str, inspection_no: str = "", *, at: datetime | None = None
    ) -> OnsiteSession:
        """Open an on-site session at a unit (or join the one another inspector has open there)."""
        self.people.require_inspector(inspector_key)
        started = at or self.database.now().replace(microsecond=0)  # Telegram dates messages to the second
        with self.database.writing() as db:
            inspector_id, _ = person_for_update(db, inspector_key, "", started)
            unit = find_unit(db, unit_query)
            already = self._open_session_of(db, inspector_id)
            if already is not None:
                unit_row = db.get(UnitRow, already.unit_id) if already.unit_id else None
                name = unit_row.name if unit_row else ""
                raise RecordsError(text("errors.onsite_already_open", unit=name))
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

    def end(
        self, inspector_key: str, attendees: int, note: str = "", *, at: datetime | None = None
    ) -> OnsiteSession:
        """Close the inspector's open on-site session with the attendance and a note."""
        if not 0 <= attendees <= MAX_ATTENDEES:
            raise RecordsError(text("errors.attendees_invalid"))
        with self.database.writing() as db:
            person_id = db.scalar(select(PersonRow.id).where(PersonRow.person_key == inspector_key))
            session_row = self._open_session_of(db, person_id) if person_id is not None else None
            if session_row is None:
                raise RecordsError(text("errors.onsite_not_open"))
            ended = at or self.database.now()
            session_row.ended_at = session_row.last_activity_at = max(ended, session_row.started_at)
            session_row.attendees = attendees
            session_row.note = note.strip()
            db.flush()
            return onsite_record(db, session_row)

    def current(self, inspector_key: str) -> OnsiteSession | None:
        """The inspector's open on-site session, if any."""
        with self.database.reading() as db:
            person_id = db.scalar(select(PersonRow.id).where(PersonRow.person_key == inspector_key))
            session_row = self._open_session_of(db, person_id) if person_id is not None else None
            return None if session_row is None else onsite_record(db, session_row)

    # --- writing ------------------------------------------------------------------------------

    def add(self, entry: SessionInput, actor: str, *, allow_duplicate: bool = False) -> OnsiteSession:
        """Record a session that took place (today or earlier); returns it as stored.

        Refused, naming the stored one, when the unit already has a session at that date and time or the
        inspection number belongs to another unit's session — unless ``allow_duplicate``."""
        with self.database.writing() as db:
            if not allow_duplicate:
                self._refuse_duplicate(db, entry)
            row = SessionRow(kind="onsite", channel="onsite", note="", recorded_by=actor)
            self._fill(db, row, entry, actor)
            session = onsite_record(db, row)
            self._audit(db, row.id, "create", actor, session_dict(session))
            return session

    def edit(self, session_id: int, actor: str, **changes: Any) -> OnsiteSession:
        """Correct the fields given (names of SessionInput); the audit keeps each old and new value."""
        with self.database.writing() as db:
            row = self._onsite_row(db, session_id)
            before = onsite_record(db, row)
            entry = replace(session_input(before), **changes)
            self._fill(db, row, entry, actor)
            after = onsite_record(db, row)
            self._audit(db, row.id, "edit", actor, changed_fields(session_dict(before), session_dict(after)))
            return after

    def _refuse_duplicate(self, db: Session, entry: SessionInput) -> None:
        unit = find_unit(db, entry.unit)
        live = (SessionRow.kind == "onsite", SessionRow.deleted_at.is_(None))
        same = db.scalar(
            select(SessionRow).where(*live, SessionRow.unit_id == unit.id, SessionRow.started_at == started_at(entry))
        )
        if same is not None:
            when = same.started_at.astimezone(REPORT_TZ)
            raise RecordsError(
                text(
                    "errors.session_exists",
                    id=same.id,
                    unit=unit.name,
                    date=when.date().isoformat(),
                    time=when.strftime("%H:%M"),
                )
            )
        number = entry.inspection_no.strip()
        other = number and db.scalar(
            select(SessionRow)
            .where(*live, SessionRow.inspection_no == number, SessionRow.unit_id != unit.id)
            .limit(1)
        )
        if other:
            other_unit = db.get(UnitRow, other.unit_id)
            raise RecordsError(
                text(
                    "errors.inspection_no_used",
                    number=number,
                    id=other.id,
                    unit=other_unit.name if other_unit else "",
                    date=local_date(other.started_at).isoformat(),
                )
            )

    def delete(self, session_id: int, actor: str, reason: str = "") -> OnsiteSession:
        """Delete a session without questions: it becomes a tombstone (reason, who, when) whose number is
        never given again; the audit keeps it whole."""
        with self.database.writing() as db:
            row = self._onsite_row(db, session_id)
            return self._tombstone(db, row, actor, reason)

    def _tombstone(self, db: Session, row: SessionRow, actor: str, reason: str) -> OnsiteSession:
        session = onsite_record(db, row)
        if session.questions:
            raise RecordsError(text("errors.session_has_questions", id=row.id, count=session.questions))
        self._audit(db, row.id, "delete", actor, {**session_dict(session), "reason": reason.strip()})
        row.deleted_at, row.deleted_by, row.delete_reason = self.database.now(), actor, reason.strip()
        db.flush()
        return session

    def _onsite_row(self, db: Session, session_id: int) -> SessionRow:
        row = db.get(SessionRow, session_id, with_for_update=True)
        if row is None or row.kind != "onsite":
            raise RecordsError(text("errors.onsite_unknown", id=session_id))
        if row.deleted_at is not None:
            raise RecordsError(text("errors.session_deleted", id=session_id, reason=row.delete_reason or "—"))
        if row.ended_at is None:
            raise RecordsError(text("errors.session_still_open", id=session_id))
        return row

    def _fill(self, db: Session, row: SessionRow, entry: SessionInput, actor: str) -> None:
        """Check ``entry`` and write it into ``row`` with its domains, inspectors and articles."""
        if entry.day > self.today():
            raise RecordsError(text("errors.date_future", field="日期", value=entry.day.isoformat()))
        attendees = check_attendees(entry.attendees)
        if not 0 <= entry.minutes <= 24 * 60:
            raise RecordsError(text("errors.minutes_invalid", value=entry.minutes))
        unit = find_unit(db, entry.unit)
        if unit.retired_on is not None and entry.day >= unit.retired_on:
            raise RecordsError(
                text("errors.unit_retired", name=unit.name, date=unit.retired_on.isoformat(), reason=unit.retire_reason)
            )
        domains = (
            check_domains(entry.domains)
            if entry.domains
            else entry.taught_domains() or tuple(d.domain for d in unit.domains)
        )
        started = started_at(entry)
        row.unit_id = unit.id
        row.started_at = started
        row.ended_at = row.last_activity_at = started + timedelta(minutes=entry.minutes)
        row.attendees = attendees
        row.inspection_no = entry.inspection_no.strip()
        row.topic = entry.topic.strip()
        db.add(row)
        db.flush()
        now = self.database.now()
        inspector_ids = [person_for_update(db, key, "", now)[0] for key in entry.inspector_keys]
        inspector_ids += [
            self._inspector(db, name, actor) for name in dict.fromkeys(entry.inspectors) if name.strip()
        ]
        for table, values in (
            (SessionDomainRow, [{"domain": d} for d in domains]),
            (SessionInspectorRow, [{"person_id": p} for p in dict.fromkeys(inspector_ids)]),
            (
                SessionArticleRow,
                [{"doc_id": r.doc_id, "article": r.article} for r in dict.fromkeys(entry.articles)],
            ),
        ):
            db.execute(delete(table).where(table.session_id == row.id))
            for value in values:
                db.add(table(session_id=row.id, **value))
        db.flush()

    def _inspector(self, db: Session, name: str, actor: str) -> int:
        """The person named ``name``: the actor if that is their name, an inspector of that name, or a new one."""
        name = name.strip()
        found = db.scalar(
            select(PersonRow.id)
            .where(PersonRow.display_name == name, PersonRow.role.in_(("inspector", "admin")))
            .order_by((PersonRow.person_key == actor).desc(), PersonRow.id)
            .limit(1)
        )
        if found is not None:
            return found
        person = PersonRow(person_key=None, display_name=name, role="inspector", created_at=self.database.now())
        db.add(person)
        db.flush()
        return person.id

    def _audit(self, db: Session, session_id: int, action: str, actor: str, details: dict[str, Any]) -> None:
        write_audit(db, session_id, action, actor, self.database.now(), details)

    def _import_one(
        self,
        db: Session,
        batch: ImportBatchRow,
        entry: SessionInput,
        stored: int | None,
        actor: str,
        report: ImportReport,
    ) -> str:
        """Record one row: a new session, or the same one (unit, date, time) corrected if it differs."""
        if stored is None:
            created = SessionRow(kind="onsite", channel="onsite", note="", recorded_by=actor, batch_id=batch.id)
            self._fill(db, created, entry, actor)
            session = onsite_record(db, created)
            self._audit(db, created.id, "create", actor, session_dict(session))
            note_change(db, batch, created.id, "added")
            report.added += 1
            return text("sheet.session_added", id=created.id, unit=session.unit.name, date=entry.day.isoformat())
        row = self._onsite_row(db, stored)
        before = session_dict(onsite_record(db, row))
        self._fill(db, row, entry, actor)
        changes = changed_fields(before, session_dict(onsite_record(db, row)))
        if not changes:
            report.unchanged += 1
            return text("sheet.session_known", id=stored)
        self._audit(db, row.id, "edit", actor, changes)
        note_change(db, batch, row.id, "updated", before)
        report.updated += 1
        return text("sheet.session_updated", id=stored, changes=describe_changes(changes, {}))

    def undo_import(self, batch_id: int, actor: str) -> str:
        """Undo an import: its sessions become tombstones, its corrections are put back (all audited)."""
        reason = text("sheet.undo_reason", batch=batch_id)

        def remove(db: Session, batch: ImportBatchRow, row: SessionRow) -> None:
            self._tombstone(db, row, actor, reason)

        def restore(db: Session, row: SessionRow, before: dict[str, Any]) -> None:
            was = session_dict(onsite_record(db, row))
            self._fill(db, row, input_of(before), actor)
            self._audit(db, row.id, "edit", actor, changed_fields(was, session_dict(onsite_record(db, row))))

        return undo_batch(self.database, "sessions", batch_id, actor, SessionRow, remove, restore)

    # --- reading ------------------------------------------------------------------------------

    def list(self, year: int, unit: str | None = None, domain: str | None = None) -> list[OnsiteSession]:
        """The on-site sessions of ``year`` (by the bureau's calendar), in order of date; only those at
        ``unit`` or of ``domain`` (实验动物, or a code) when given."""
        start, end = period_bounds(year, None)
        code = check_domains((domain,))[0] if domain is not None else None
        with self.database.reading() as db:
            query = (
                select(SessionRow)
                .where(
                    SessionRow.kind == "onsite",
                    SessionRow.started_at >= start,
                    SessionRow.started_at < end,
                    SessionRow.deleted_at.is_(None),
                )
                .order_by(SessionRow.started_at, SessionRow.id)
            )
            if unit is not None:
                query = query.where(SessionRow.unit_id == find_unit(db, unit).id)
            if code is not None:
                query = query.where(
                    SessionRow.id.in_(select(SessionDomainRow.session_id).where(SessionDomainRow.domain == code))
                )
            return [onsite_record(db, row) for row in db.scalars(query)]

    def get(self, session_id: int) -> OnsiteSession:
        """The on-site session with this number (RecordsError naming it when there is none)."""
        with self.database.reading() as db:
            row = db.get(SessionRow, session_id)
            if row is None or row.kind != "onsite":
                raise RecordsError(text("errors.onsite_unknown", id=session_id))
            return onsite_record(db, row)

    def audit(self, session_id: int) -> builtins.list[dict[str, Any]]:
        """The audit trail of a session (also of a deleted one), oldest first."""
        with self.database.reading() as db:
            return read_audit(db, session_id)

    # --- spreadsheets -------------------------------------------------------------------------

    def import_sheet(
        self,
        name: str,
        content: bytes,
        actor: str,
        *,
        partial: bool = False,
        resolve_articles: ArticleResolver | None = None,
    ) -> ImportReport:
        """Record every session of the spreadsheet; all or nothing unless ``partial``."""
        report = ImportReport()
        today = self.today()
        entries: list[tuple[int, SessionInput]] = []
        for row in read_sheet(name, content, SESSION_COLUMNS, SheetLimits.of(self.database.settings)):
            try:
                entries.append((row.line, session_entry(row.values, today, resolve_articles)))
            except RecordsError as error:
                report.rejected.append((row.line, str(error)))
        good: list[tuple[int, SessionInput, int | None]] = []  # with the id of the same session stored
        seen: dict[tuple[int, datetime], int] = {}
        with self.database.reading() as db:  # units are checked before anything is written
            for line, entry in entries:
                try:
                    unit_id = find_unit(db, entry.unit).id
                    if entry.domains:
                        check_domains(entry.domains)
                except RecordsError as error:
                    report.rejected.append((line, str(error)))
                    continue
                key = (unit_id, started_at(entry))
                if key in seen:
                    report.rejected.append((line, text("errors.session_duplicate_line", line=seen[key])))
                    continue
                seen[key] = line
                stored = db.scalar(
                    select(SessionRow.id).where(
                        SessionRow.kind == "onsite",
                        SessionRow.unit_id == unit_id,
                        SessionRow.started_at == key[1],
                        SessionRow.deleted_at.is_(None),
                    )
                )
                good.append((line, entry, stored))
        report.rejected.sort()
        return apply_batch(
            self.database,
            "sessions",
            name,
            actor,
            report,
            [(line, (entry, stored)) for line, entry, stored in good],
            lambda pair: pair[0].unit,
            lambda db, batch, pair: self._import_one(db, batch, pair[0], pair[1], actor, report),
            partial,
        )
