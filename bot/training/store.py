"""TrainingStore: training hours and quiz answers in the outreach log's database, and the year's report."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy import Engine, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from bot.outreach.db import ensure_migrated, make_engine
from bot.outreach.errors import OutreachError
from bot.outreach.models import PersonRow
from bot.outreach.stats import REPORT_TZ
from bot.settings import Settings
from bot.training.messages import text
from bot.training.models import QuizAnswerRow, TrainingRecordRow
from bot.training.records import TrainingEntry, TrainingError
from bot.training.report import TrainingReport, summarize
from knowledge.quiz import Question


class TrainingStore:
    """Training records on SQLite or PostgreSQL (the same database and migrations as the outreach log)."""

    def __init__(
        self, engine: Engine, settings: Settings, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.engine = engine
        self.settings = settings
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock or (lambda: datetime.now(UTC))

    @classmethod
    def open(cls, settings: Settings) -> TrainingStore:
        """Connect and check the schema is at head; TrainingError (with ``pufa db upgrade``) otherwise."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.effective_database_url)
        try:
            ensure_migrated(engine)
        except (OutreachError, sa_exc.SQLAlchemyError) as error:
            engine.dispose()
            raise TrainingError(str(error).splitlines()[0]) from error
        return cls(engine, settings)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """One transaction; database failures surface as TrainingError (nothing half-written)."""
        try:
            with self._sessions.begin() as db:
                yield db
        except sa_exc.SQLAlchemyError as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200]
            raise TrainingError(text("errors.database", reason=reason)) from error

    def add(self, entries: Sequence[TrainingEntry], source: str = "cli") -> int:
        """Store every entry in one transaction (all or none); return how many."""
        now = self._clock()
        with self._transaction() as db:
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

    def record_answer(self, person_key: str, question: Question, correct: bool, seconds: float) -> None:
        """Store one practice answer under the inspector's name (as /grant recorded it)."""
        with self._transaction() as db:
            person = db.scalar(select(PersonRow).where(PersonRow.person_key == person_key))
            db.add(
                QuizAnswerRow(
                    inspector=(person.display_name if person else "") or person_key,
                    person_id=person.id if person else None,
                    question_id=question.id,
                    kind=question.kind,
                    topic=question.topic,
                    doc_id=question.doc_id,
                    article=question.article,
                    correct=correct,
                    seconds=round(seconds, 1),
                    answered_at=self._clock(),
                )
            )

    def report(self, year: int, today: date | None = None) -> TrainingReport:
        """The year's report; every inspector named in the people register appears, even with no hours."""
        if not 2000 <= year <= 2100:
            raise TrainingError(text("errors.year", value=year))
        start = datetime(year, 1, 1, tzinfo=REPORT_TZ)
        end = datetime(year + 1, 1, 1, tzinfo=REPORT_TZ)
        with self._transaction() as db:
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
                    QuizAnswerRow.answered_at >= start, QuizAnswerRow.answered_at < end
                )
            ).all()
        return summarize(
            names,
            [(r.inspector, r.kind, r.hours, r.score) for r in records],
            [(a.inspector, a.topic, a.correct) for a in answers],
            year,
            today or self._clock().astimezone(REPORT_TZ).date(),
            self.settings.training_required_hours,
            self.settings.quiz_minutes_per_question,
        )
