"""TrainingLog: training hours and quiz answers in the records database, and the year's report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from sqlalchemy import func, select

from bot.records.calendar import REPORT_TZ
from bot.records.db import Database
from bot.records.models import PersonRow
from bot.records.training.entries import TrainingEntry, TrainingError
from bot.records.training.messages import text
from bot.records.training.models import QuizAnswerRow, TrainingRecordRow
from bot.records.training.report import TrainingReport, summarize
from knowledge.quiz import Question


class TrainingLog:
    """Training records on SQLite or PostgreSQL (the same database and migrations as every record)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.settings = database.settings

    def add(self, entries: Sequence[TrainingEntry], source: str = "cli") -> int:
        """Store every entry in one transaction (all or none); return how many."""
        now = self.database.now()
        with self.database.writing() as db:
            db.add_all(
                TrainingRecordRow(
                    inspector=e.inspector,
                    day=e.day,
                    hours=e.hours,
                    kind=e.kind,
                    topic=e.topic,
                    score=e.score,
                    source=source,
                    created_at=now,
                )
                for e in entries
            )
        return len(entries)

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
                ).where(TrainingRecordRow.day >= start.date(), TrainingRecordRow.day < end.date())
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
