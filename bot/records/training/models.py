"""Training tables on the records' ``Base`` (SQLAlchemy 2.0 typed ORM): hours and quiz answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column

from bot.records.models import Base, UTCDateTime


class TrainingRecordRow(Base):
    """Hours of one training an inspector took: a lecture, mock inspection, contest, exam or self-study."""

    __tablename__ = "training_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspector: Mapped[str] = mapped_column(String(100), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    hours: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(40), default="")
    score: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20))  # "cli" or "import"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    batch_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the import that added it
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a tombstone (undone import)


class QuizAnswerRow(Base):
    """One practice question an inspector answered in Telegram, and whether the answer was right."""

    __tablename__ = "quiz_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspector: Mapped[str] = mapped_column(String(100), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    question_id: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(40))
    doc_id: Mapped[str] = mapped_column(String(100))
    article: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    seconds: Mapped[float] = mapped_column(Float)
    # counted as training time: answered no faster than the minimum, within the daily cap
    credited: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
