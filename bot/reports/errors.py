"""Errors of the report commands; the message is shown to the user as one line."""

from knowledge.errors import PufaError


class ReportError(PufaError):
    """A report request that cannot be served (bad output file)."""
