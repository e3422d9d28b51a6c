"""The outreach log tables (SQLAlchemy 2.0 typed ORM). Times are stored as naive UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

ROLES = ("lab", "inspector", "admin")
KINDS = ("online", "onsite")
MATERIALS = ("briefing", "handout")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC in the database (same on SQLite and PostgreSQL)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UnitRow(Base):
    """A regulated unit (执法对象单位)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    licence_no: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    contact: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_on: Mapped[date | None] = mapped_column(Date)  # out of coverage from this day on
    retire_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    domains: Mapped[list[UnitDomainRow]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class UnitDomainRow(Base):
    __tablename__ = "unit_domains"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    domain: Mapped[str] = mapped_column(String(40), primary_key=True)


class PersonRow(Base):
    """A user of pufa. ``person_key`` and ``display_name`` are cleared by /forget."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="lab")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    forgotten_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SessionRow(Base):
    """An outreach session: a user's conversation (online) or an inspector at a unit (onsite)."""

    __tablename__ = "outreach_sessions"
    __table_args__ = (
        Index("ix_outreach_sessions_person_last", "person_id", "last_activity_at"),
        Index("ix_outreach_sessions_open_onsite", "unit_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(20), default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    inspection_no: Mapped[str] = mapped_column(String(100), default="")
    attendees: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(Text, default="", server_default="")
    recorded_by: Mapped[str] = mapped_column(String(100), default="", server_default="")
    batch_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the import that added it
    # A deleted session is a tombstone: its number stays taken, its audit its own.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[str] = mapped_column(String(100), default="", server_default="")
    delete_reason: Mapped[str] = mapped_column(Text, default="", server_default="")


class SessionInspectorRow(Base):
    __tablename__ = "session_inspectors"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)


class SessionDomainRow(Base):
    __tablename__ = "session_domains"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    domain: Mapped[str] = mapped_column(String(40), primary_key=True)


class SessionArticleRow(Base):
    """An article explained at an on-site session."""

    __tablename__ = "session_articles"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    doc_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    article: Mapped[int] = mapped_column(Integer, primary_key=True)


class SessionAuditRow(Base):
    """Who created, corrected or deleted an on-site session, and what changed (JSON ``details``)."""

    __tablename__ = "session_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(Integer, index=True)  # no FK: kept after a deletion
    action: Mapped[str] = mapped_column(String(10))  # create | edit | delete
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    details: Mapped[str] = mapped_column(Text)


class UnitRequestRow(Base):
    """A self-registration naming a unit not in the register, waiting for an admin."""

    __tablename__ = "unit_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str] = mapped_column(String(10), default="", server_default="")  # confirmed|rejected


class TurnRow(Base):
    """One question and its answer. ``uid`` comes from the client so a replay cannot duplicate it."""

    __tablename__ = "turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_sessions.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    question: Mapped[str | None] = mapped_column(Text)
    answer_mode: Mapped[str] = mapped_column(String(20))
    declined: Mapped[bool] = mapped_column(Boolean)
    latency_ms: Mapped[float] = mapped_column(Float)
    feedback: Mapped[int | None] = mapped_column(SmallInteger)


class TurnClaimRow(Base):
    """Who answers a question that came from a source with ids of its own (a Telegram message).

    ``source`` (bot, chat, message) and ``update_key`` (bot, update) are unique, so a redelivered
    update or a second process sharing the database finds the claim and does not answer again;
    ``answered_at`` is set once the reply was sent.
    """

    __tablename__ = "turn_claims"

    uid: Mapped[str] = mapped_column(String(32), primary_key=True)
    source: Mapped[str] = mapped_column(String(100), unique=True)
    update_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    owner: Mapped[str] = mapped_column(String(100))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TurnCitationRow(Base):
    __tablename__ = "turn_citations"

    turn_id: Mapped[int] = mapped_column(ForeignKey("turns.id", ondelete="CASCADE"), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    article: Mapped[int] = mapped_column(Integer, primary_key=True)


class TurnDomainRow(Base):
    __tablename__ = "turn_domains"

    turn_id: Mapped[int] = mapped_column(ForeignKey("turns.id", ondelete="CASCADE"), primary_key=True)
    domain: Mapped[str] = mapped_column(String(40), primary_key=True)


class SessionMaterialRow(Base):
    """A briefing or handout used at an on-site session, with the typical cases it contained."""

    __tablename__ = "session_materials"
    __table_args__ = (UniqueConstraint("session_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("outreach_sessions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    brief_date: Mapped[date] = mapped_column(Date)
    case_ids: Mapped[str] = mapped_column(String(1000), default="")  # comma-separated case ids
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ImportBatchRow(Base):
    """One import of a spreadsheet (units, sessions or training): what it did, and whether it was undone."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # units | sessions | training
    file: Mapped[str] = mapped_column(String(300))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    added: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by: Mapped[str] = mapped_column(String(100), default="", server_default="")


class ImportChangeRow(Base):
    """A record an import added or updated; ``before`` (JSON) is what an update replaced, for ``--undo``."""

    __tablename__ = "import_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))  # added | updated
    before: Mapped[str] = mapped_column(Text, default="", server_default="")
