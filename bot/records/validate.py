"""Checks shared by the register, the sessions and their spreadsheets; errors are Chinese RecordsErrors."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, time

from bot.records.errors import RecordsError
from bot.records.messages import text
from knowledge.law import domains as corpus_domains
from knowledge.templates import table

MAX_ATTENDEES = 100_000
# C0 and C1 controls (tab, CR and LF included), DEL, and the bidirectional overrides that reorder text
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def check_name(value: str, field: str) -> str:
    """A name (of a unit, a person) stripped; refused when it holds a control character."""
    if _CONTROL.search(value.strip()):
        shown = _CONTROL.sub("�", value.strip())[:60]
        raise RecordsError(text("errors.name_control", field=field, value=shown))
    return value.strip()


def parse_domain(raw: str) -> str | None:
    """The domain code named by ``raw``: its Chinese title (实验动物), a common other name (人遗) or the code."""
    value = raw.strip()
    synonyms: dict[str, str] = table("outreach")["domain_synonyms"]
    return corpus_domains.parse(value) or synonyms.get(value)


def check_domains(raw: Iterable[str], allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Domain codes (Chinese titles, other names or codes accepted), sorted and unique; an unknown one is
    refused with the Chinese titles accepted."""
    allowed = allowed or corpus_domains.known()
    codes = []
    for value in raw:
        code = parse_domain(value)
        if code is None or code not in allowed:
            choices = "、".join(corpus_domains.label(c) for c in allowed)
            raise RecordsError(text("errors.unknown_domain", domain=value.strip(), choices=choices))
        codes.append(code)
    return tuple(sorted(set(codes)))


def check_attendees(value: int) -> int:
    """The number of attendees, refused unless 0 ≤ value ≤ MAX_ATTENDEES."""
    if not 0 <= value <= MAX_ATTENDEES:
        raise RecordsError(text("errors.attendees_range", value=value, limit=MAX_ATTENDEES))
    return value


def parse_attendees(raw: str) -> int:
    """The number of attendees as typed (digits only, within range)."""
    return check_attendees(parse_count(raw, "参加人数"))


_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_TIME = re.compile(r"^\s*(\d{1,2})\s*[:：时]\s*(\d{2})\s*分?\s*$")
LIST_SEPARATORS = re.compile(r"[、;；,，\n]+")


def parse_date(raw: str, today: date, field: str = "日期") -> date:
    """A date written 2026-03-15, 2026/3/15 or 2026年3月15日; future dates are refused."""
    match = _DATE.match(raw)
    try:
        value = date(*(int(part) for part in match.groups())) if match else None
    except ValueError:
        value = None
    if value is None:
        raise RecordsError(text("errors.date_invalid", field=field, value=raw.strip()))
    if value > today:
        raise RecordsError(text("errors.date_future", field=field, value=value.isoformat()))
    return value


def looks_like_date(raw: str) -> bool:
    """True for text shaped like a date (even an impossible one such as 2026-13-40)."""
    return bool(_DATE.match(raw))


def parse_time(raw: str, field: str = "时间") -> time:
    """A time of day written 14:30 (or 14时30分)."""
    match = _TIME.match(raw)
    try:
        return time(int(match.group(1)), int(match.group(2))) if match else time(99)
    except ValueError:
        raise RecordsError(text("errors.time_invalid", field=field, value=raw.strip())) from None


def parse_count(raw: str, field: str) -> int:
    """A whole number ≥ 0 written in digits (full-width digits accepted)."""
    value = raw.strip().translate(_FULLWIDTH_DIGITS)
    if not value.isascii() or not value.isdigit():
        raise RecordsError(text("errors.number_invalid", field=field, value=raw.strip()))
    return int(value)


def split_list(raw: str) -> tuple[str, ...]:
    """Items separated by 、 ; ； , ， or new lines, stripped, empty ones dropped."""
    return tuple(part.strip() for part in LIST_SEPARATORS.split(raw) if part.strip())


_FULLWIDTH_DIGITS = {0xFF10 + digit: 0x30 + digit for digit in range(10)}
