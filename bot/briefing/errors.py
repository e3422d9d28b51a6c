"""Errors of the briefing commands; the message is shown to the user as one line."""

from knowledge.errors import PufaError


class BriefingError(PufaError):
    """A briefing request that cannot be served (bad date, bad output file)."""
