"""Errors of the bureau's records; ``str()`` of each is a Chinese message fit for the user."""

from __future__ import annotations

from knowledge.errors import PufaError
from knowledge.templates import text


class RecordsError(PufaError):
    """A request the records refuse (unknown unit, session already open, ...)."""


class NotMigratedError(RecordsError):
    """The database schema is missing or older than this code."""

    def __init__(self, detail: str = "") -> None:
        message = text("outreach", "errors.not_migrated")
        super().__init__(f"{message}（{detail}）" if detail else message)


class DatabaseUnavailable(RecordsError):
    """The database did not answer (down, locked, full)."""

    def __init__(self, reason: str) -> None:
        super().__init__(text("outreach", "errors.database_unreachable", reason=reason))


class DatabaseSchemaError(RecordsError):
    """The database refused a statement (a table or column missing or different): not transient."""

    def __init__(self, reason: str) -> None:
        super().__init__(text("outreach", "errors.database_schema", reason=reason))
