"""Checks shared by the register, the sessions and their spreadsheets; errors are Chinese OutreachErrors."""

from __future__ import annotations

from collections.abc import Iterable

from bot.outreach.errors import OutreachError
from bot.outreach.messages import text
from knowledge.law import domains as corpus_domains

MAX_ATTENDEES = 100_000


def check_domains(raw: Iterable[str], allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Domain codes (codes or Chinese titles accepted), sorted and unique; unknown ones refused."""
    allowed = allowed or corpus_domains.known()
    codes = []
    for value in raw:
        code = corpus_domains.parse(value)
        if code is None or code not in allowed:
            choices = "、".join(f"{c}（{corpus_domains.label(c)}）" for c in allowed)
            raise OutreachError(text("errors.unknown_domain", domain=value.strip(), choices=choices))
        codes.append(code)
    return tuple(sorted(set(codes)))


def check_attendees(value: int) -> int:
    """The number of attendees, refused unless 0 ≤ value ≤ MAX_ATTENDEES."""
    if not 0 <= value <= MAX_ATTENDEES:
        raise OutreachError(text("errors.attendees_range", value=value, limit=MAX_ATTENDEES))
    return value
