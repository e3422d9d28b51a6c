"""TrainingLog: training hours and quiz answers in the records database, and the year's report."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.records.batches import apply_batch, note_change, undo_batch
from bot.records.calendar import REPORT_TZ, local_date
from bot.records.db import Database
from bot.records.models import ImportBatchRow, PersonRow
from bot.records.sheets import ImportReport
from bot.records.training.entries import SheetEntries, TrainingEntry, TrainingError
from bot.records.training.messages import text
from bot.records.training.models import QuizAnswerRow, TrainingRecordRow
from bot.records.training.report import TrainingReport, summarize
from knowledge.quiz import Question


class TrainingLog:
    """Training records on SQLite or PostgreSQL (the same database and migrations as every record)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.settings = database.settings

    def today(self) -> date:
        return local_date(self.database.now())

    def add(self, entry: TrainingEntry, source: str = "cli") -> int:
        """Store one entry; TrainingError naming the stored one when the same training is recorded."""
        with self.database.writing() as db:
            existing = _same(db, entry)
            if existing is not None:
                raise TrainingError(
                    text(
                        "errors.exists",
                        inspector=existing.inspector,
                        day=existing.day.isoformat(),
                        kind=existing.kind,
                        topic=f"·{existing.topic}" if existing.topic else "",
                        hours=f"{existing.hours:g}",
                    )
                )
            row = _row(entry, source, self.database.now())
            db.add(row)
            db.flush()
            return row.id

    def import_entries(
        self, file: str, sheet: SheetEntries, actor: str, *, partial: bool = False
    ) -> ImportReport:
        """Store the sheet's entries as one batch: a training already recorded (same inspector, day, kind
        and topic) is not counted twice, only corrected; all or nothing unless ``partial``."""
        report = ImportReport(rejected=list(sheet.problems))
        good: list[tuple[int, TrainingEntry]] = []
        seen: dict[tuple[str, date, str, str], int] = {}
        for line, entry in sheet.entries:
            key = _key(entry)
            if key in seen:
                report.rejected.append((line, text("errors.duplicate_line", line=seen[key])))
                continue
            seen[key] = line
            good.append((line, entry))
        report.rejected.sort()
        return apply_batch(
            self.database,
            "training",
            file,
            actor,
            report,
            good,
            _label,
            lambda db, batch, entry: self._import_one(db, batch, entry, report),
            partial,
        )

    def _import_one(self, db: Session, batch: ImportBatchRow, entry: TrainingEntry, report: ImportReport) -> str:
        existing = _same(db, entry)
        if existing is None:
            row = _row(entry, "import", self.database.now())
            row.batch_id = batch.id
            db.add(row)
            db.flush()
            note_change(db, batch, row.id, "added")
            report.added += 1
            return text("import.record_added", **_fields(entry))
        before = {"hours": existing.hours, "score": existing.score}
        if (existing.hours, existing.score) == (entry.hours, entry.score):
            report.unchanged += 1
            return text("import.record_unchanged", **_fields(entry))
        changes = "；".join(
            f"{label} {_num(before[key])}→{_num(value)}"
            for key, label, value in (("hours", "学时", entry.hours), ("score", "成绩", entry.score))
            if before[key] != value
        )
        existing.hours, existing.score = entry.hours, entry.score
        note_change(db, batch, existing.id, "updated", before)
        report.updated += 1
        return text("import.record_updated", **_fields(entry), changes=changes)

    def undo(self, batch_id: int, actor: str) -> str:
        """Undo an import: its additions become tombstones, its corrections are put back."""

        def remove(db: Session, batch: ImportBatchRow, row: TrainingRecordRow) -> None:
            row.deleted_at = self.database.now()

        def restore(db: Session, row: TrainingRecordRow, before: dict[str, Any]) -> None:
            row.hours, row.score = before["hours"], before["score"]

        return undo_batch(self.database, "training", batch_id, actor, TrainingRecordRow, remove, restore)

    def record_answer(self, person_key: str, question: Question, correct: bool, seconds: float) -> bool:
        """Store one practice answer under the inspector's person record (the name /grant gave them).

        Returns whether it counts as training time: not when answered faster than
        ``PUFA_QUIZ_MIN_SECONDS_PER_QUESTION`` or beyond ``PUFA_QUIZ_DAILY_CREDITED_QUESTIONS`` that day.
        """
        now = self.database.now()
        day_start = datetime.combine(now.astimezone(REPORT_TZ).date(), time.min, REPORT_TZ)
        with self.database.writing() as db:
            person = db.scalar(select(PersonRow).where(PersonRow.person_key == person_key).with_for_update())
            inspector = (person.display_name if person else "") or person_key
            owner = QuizAnswerRow.person_id == person.id if person else QuizAnswerRow.inspector == inspector
            credited_today = db.scalar(
                select(func.count())
                .select_from(QuizAnswerRow)
                .where(owner, QuizAnswerRow.credited.is_(True), QuizAnswerRow.answered_at >= day_start)
            )
            credited = (
                seconds >= self.settings.quiz_min_seconds_per_question
                and (credited_today or 0) < self.settings.quiz_daily_credited_questions
            )
            db.add(
                QuizAnswerRow(
                    inspector=inspector,
                    person_id=person.id if person else None,
                    question_id=question.id,
                    kind=question.kind,
                    topic=question.topic,
                    doc_id=question.doc_id,
                    article=question.article,
                    correct=correct,
                    seconds=round(seconds, 1),
                    credited=credited,
                    answered_at=now,
                )
            )
        return credited

    def report(self, year: int, today: date | None = None) -> TrainingReport:
        """The year's report; every inspector named in the people register appears, even with no hours."""
        if not 2000 <= year <= 2100:
            raise TrainingError(text("errors.year", value=year))
        start = datetime(year, 1, 1, tzinfo=REPORT_TZ)
        end = datetime(year + 1, 1, 1, tzinfo=REPORT_TZ)
        with self.database.reading() as db:
            names = db.scalars(
                select(PersonRow.display_name).where(
                    PersonRow.role == "inspector",
                    PersonRow.forgotten_at.is_(None),
                    PersonRow.display_name != "",
                )
            ).all()
            records = db.execute(
                select(
                    TrainingRecordRow.inspector,
                    TrainingRecordRow.kind,
                    TrainingRecordRow.hours,
                    TrainingRecordRow.score,
                ).where(
                    TrainingRecordRow.day >= start.date(),
                    TrainingRecordRow.day < end.date(),
                    TrainingRecordRow.deleted_at.is_(None),
                )
            ).all()
            answers = db.execute(
                select(QuizAnswerRow.inspector, QuizAnswerRow.topic, QuizAnswerRow.correct).where(
                    QuizAnswerRow.answered_at >= start,
                    QuizAnswerRow.answered_at < end,
                    QuizAnswerRow.credited.is_(True),
                )
            ).all()
        return summarize(
            names,
            [(r.inspector, r.kind, r.hours, r.score) for r in records],
            [(a.inspector, a.topic, a.correct) for a in answers],
            year,
            today or self.database.now().astimezone(REPORT_TZ).date(),
            self.settings.training_required_hours,
            self.settings.quiz_minutes_per_question,
        )


def _key(entry: TrainingEntry) -> tuple[str, date, str, str]:
    """What makes a training the same one: inspector, day, kind and topic."""
    return entry.inspector, entry.day, entry.kind, entry.topic


def _same(db: Session, entry: TrainingEntry) -> TrainingRecordRow | None:
    """The stored (not undone) record of the same training, row-locked."""
    return db.scalar(
        select(TrainingRecordRow)
        .where(
            TrainingRecordRow.inspector == entry.inspector,
            TrainingRecordRow.day == entry.day,
            TrainingRecordRow.kind == entry.kind,
            TrainingRecordRow.topic == entry.topic,
            TrainingRecordRow.deleted_at.is_(None),
        )
        .order_by(TrainingRecordRow.id)
        .limit(1)
        .with_for_update()
    )


def _row(entry: TrainingEntry, source: str, now: datetime) -> TrainingRecordRow:
    return TrainingRecordRow(
        inspector=entry.inspector,
        day=entry.day,
        hours=entry.hours,
        kind=entry.kind,
        topic=entry.topic,
        score=entry.score,
        source=source,
        created_at=now,
    )


def _fields(entry: TrainingEntry) -> dict[str, str]:
    kind = f"{entry.kind}·{entry.topic}" if entry.topic else entry.kind
    return {"inspector": entry.inspector, "day": entry.day.isoformat(), "kind": kind, "hours": _num(entry.hours)}


def _label(entry: TrainingEntry) -> str:
    return text("import.record_added", **_fields(entry))


def _num(number: float | None) -> str:
    return "—" if number is None else f"{number:g}"
