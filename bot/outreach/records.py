"""Plain results the store hands back to surfaces (detached from the database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from knowledge.models import ArticleRef


@dataclass(frozen=True)
class Unit:
    """A regulated unit."""

    id: int
    name: str
    credit_code: str
    domains: tuple[str, ...]
    licence_no: str = ""


@dataclass(frozen=True)
class OnsiteSession:
    """An on-site outreach session; ``ended_at`` is None while it is open."""

    id: int
    unit: Unit
    inspectors: tuple[str, ...]
    started_at: datetime
    ended_at: datetime | None
    inspection_no: str
    attendees: int | None
    note: str
    questions: int
    domains: tuple[str, ...]


@dataclass(frozen=True)
class HistoryItem:
    """One of a user's own past questions (/history)."""

    asked_at: datetime
    question: str
    answer_mode: str
    declined: bool
    citations: tuple[ArticleRef, ...]
    session_kind: str
    feedback: int | None
