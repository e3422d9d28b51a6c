"""Reports: the year's figures and export rows, over the records database."""

from __future__ import annotations

from collections.abc import Mapping

from bot.records.db import Database
from bot.records.errors import RecordsError
from bot.records.messages import text
from bot.records.reports.figures import YearStats
from bot.records.reports.queries import compute
from bot.records.reports.rows import Row, session_rows
from bot.records.validate import check_domains


class Reports:
    """The outreach figures of a period and the export rows of a year."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def stats(
        self,
        year: int,
        quarter: int | None = None,
        domain: str | None = None,
        titles: Mapping[str, str] | None = None,
    ) -> YearStats:
        """The year's (or quarter's) figures; ``titles`` maps doc_id to a title for article labels."""
        if quarter is not None and quarter not in (1, 2, 3, 4):
            raise RecordsError(text("errors.quarter_invalid"))
        if domain is not None:
            (domain,) = check_domains((domain,))
        with self.database.reading() as db:
            return compute(db, year, quarter, domain, titles or {})

    def session_rows(self, year: int, titles: Mapping[str, str] | None = None) -> list[Row]:
        """One export row per session of ``year``, in order of start."""
        with self.database.reading() as db:
            return session_rows(db, year, titles or {})
