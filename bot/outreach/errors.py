"""Errors of the outreach log; ``str()`` of each is a Chinese message fit for the user."""

from __future__ import annotations

from bot.outreach.messages import text
from knowledge.errors import PufaError


class OutreachError(PufaError):
    """A request the outreach log refuses (unknown unit, session already open, ...)."""


class NotMigratedError(OutreachError):
    """The database schema is missing or older than this code."""

    def __init__(self, detail: str = "") -> None:
        message = text("errors.not_migrated")
        super().__init__(f"{message}（{detail}）" if detail else message)


class DatabaseUnavailable(OutreachError):
    """The database did not answer (down, locked, full)."""

    def __init__(self, reason: str) -> None:
        super().__init__(text("errors.database_unreachable", reason=reason))
