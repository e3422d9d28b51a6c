"""Gather and write the annual report in one call (the CLI and Telegram share it)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.records.services import Records
from bot.reports.annual.document import write_report
from bot.reports.annual.figures import gather
from bot.reports.titles import catalog_titles
from knowledge.law.library import Library


def annual_report(records: Records, library: Library, year: int, out: Path, today: date) -> Path:
    """The report of ``year`` as of ``today``, written to ``out`` (.docx)."""
    case_titles = {case_id: case.title for case_id, case in library.cases.items()}
    figures = gather(records, year, catalog_titles(library.catalog), case_titles, today)
    return write_report(figures, out, today)
