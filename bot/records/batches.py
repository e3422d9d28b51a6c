"""Import batches: every import is one numbered batch recording what it added or updated, so that it can
be undone as a whole (``--undo BATCH``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.records.db import Database
from bot.records.errors import RecordsError
from bot.records.messages import text
from bot.records.models import ImportBatchRow, ImportChangeRow
from bot.records.sheets import ImportReport

Row = TypeVar("Row")


@dataclass(frozen=True)
class Change:
    """A record an import touched: ``before`` is what an update replaced (empty for an addition)."""

    record_id: int
    action: str  # added | updated
    before: dict[str, Any]


def apply_batch(
    database: Database,
    kind: str,
    file: str,
    actor: str,
    report: ImportReport,
    rows: Sequence[tuple[int, Row]],
    label: Callable[[Row], str],
    store: Callable[[Session, ImportBatchRow, Row], str],
    partial: bool,
) -> ImportReport:
    """All or nothing unless ``partial``: with rejected lines, nothing is stored and the good ``rows`` are listed
    by ``label``; otherwise one batch stores every good row through ``store`` (which says what it did)."""
    if report.rejected and not partial:
        report.accepted = [(line, label(row)) for line, row in rows]
        return report
    with database.writing() as db:
        batch = open_batch(db, database, kind, file, actor)
        for line, row in rows:
            report.accepted.append((line, store(db, batch, row)))
        batch.unchanged = report.unchanged
        report.batch = batch.id
    report.applied = True
    return report


def open_batch(db: Session, database: Database, kind: str, file: str, actor: str) -> ImportBatchRow:
    """A new batch (its number is given at once; the counts are filled by ``close_batch``)."""
    batch = ImportBatchRow(
        kind=kind, file=file[:300], actor=actor, at=database.now(), added=0, updated=0, unchanged=0
    )
    db.add(batch)
    db.flush()
    return batch


def note_change(
    db: Session, batch: ImportBatchRow, record_id: int, action: str, before: dict[str, Any] | None = None
) -> None:
    db.add(
        ImportChangeRow(
            batch_id=batch.id,
            record_id=record_id,
            action=action,
            before=json.dumps(before or {}, ensure_ascii=False, sort_keys=True, default=str),
        )
    )
    if action == "added":
        batch.added += 1
    else:
        batch.updated += 1


def undo_batch(
    database: Database,
    kind: str,
    batch_id: int,
    actor: str,
    model: type[Any],
    remove: Callable[[Session, ImportBatchRow, Any], None],
    restore: Callable[[Session, Any, dict[str, Any]], None],
) -> str:
    """Undo the import ``batch_id`` of ``kind`` as a whole, newest change first: each ``model`` record it added
    goes through ``remove``, each it updated is put back by ``restore`` from what the update replaced; records
    gone since (deleted, or tombstoned where the model keeps tombstones) are left alone. Says what it did."""
    with database.writing() as db:
        batch, changes = _batch_for_undo(db, kind, batch_id)
        removed = restored = 0
        for change in changes:
            row = db.get(model, change.record_id, with_for_update=True)
            if row is None or getattr(row, "deleted_at", None) is not None:
                continue
            if change.action == "added":
                remove(db, batch, row)
                removed += 1
            else:
                restore(db, row, change.before)
                restored += 1
        _mark_undone(batch, database, actor)
        return _undone_message(batch, removed, restored)


def _batch_for_undo(db: Session, kind: str, batch_id: int) -> tuple[ImportBatchRow, list[Change]]:
    """The batch ``batch_id`` of ``kind`` (row-locked) and its changes, newest first; RecordsError when it
    is unknown, of another kind or already undone."""
    batch = db.get(ImportBatchRow, batch_id, with_for_update=True)
    if batch is None or batch.kind != kind:
        raise RecordsError(text("errors.batch_unknown", id=batch_id, kind=text(f"labels.batch_{kind}")))
    if batch.undone_at is not None:
        when = batch.undone_at.strftime("%Y-%m-%d %H:%M")
        raise RecordsError(text("errors.batch_undone", id=batch_id, when=when, actor=batch.undone_by))
    rows = db.scalars(
        select(ImportChangeRow).where(ImportChangeRow.batch_id == batch_id).order_by(ImportChangeRow.id.desc())
    ).all()
    return batch, [Change(r.record_id, r.action, json.loads(r.before or "{}")) for r in rows]


def _mark_undone(batch: ImportBatchRow, database: Database, actor: str) -> None:
    """The batch's own audit entry: who undid it, and when."""
    batch.undone_at, batch.undone_by = database.now(), actor


def _undone_message(batch: ImportBatchRow, removed: int, restored: int) -> str:
    """What an undo did, in Chinese."""
    return text(
        "sheet.undone",
        batch=batch.id,
        source=batch.file,
        when=batch.at.strftime("%Y-%m-%d %H:%M"),
        actor=batch.actor,
        removed=removed,
        restored=restored,
    )
