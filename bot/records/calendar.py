"""The bureau's calendar: its time zone, and the UTC bounds of a year or quarter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

REPORT_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")  # the bureau's calendar (no DST)


def period_bounds(year: int, quarter: int | None) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of the period in UTC, by the bureau's local calendar."""
    first_month = 1 if quarter is None else 3 * quarter - 2
    start = datetime(year, first_month, 1, tzinfo=REPORT_TZ)
    end_month = first_month + (12 if quarter is None else 3)
    end = datetime(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1, tzinfo=REPORT_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The bureau's calendar day of ``moment``."""
    return moment.astimezone(REPORT_TZ).date()
