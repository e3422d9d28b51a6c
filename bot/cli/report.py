"""``pufa report --year Y --out 报告.docx``: the annual report on enforcement and outreach."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from bot.cli.parsing import add_command
from bot.records.calendar import REPORT_TZ
from bot.reports.errors import ReportError
from bot.settings import Settings
from knowledge.templates import text


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Register ``report`` on the ``pufa`` parser."""
    report = add_command(subparsers, "report", text("annual", "cli.help"), text("annual", "cli.example"))
    report.add_argument(
        "--year", type=int, default=datetime.now(REPORT_TZ).year, help=text("annual", "cli.year_help")
    )
    report.add_argument(
        "--out", type=Path, required=True, metavar="FILE.docx", help=text("annual", "cli.out_help")
    )
    report.set_defaults(func=run_report)


def run_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.records.services import Records
    from bot.reports.annual.build import annual_report
    from knowledge.assistant import Assistant

    if args.out.suffix.lower() != ".docx":
        raise ReportError(text("annual", "cli.bad_suffix", path=args.out))
    library = Assistant.open_library(settings.data_dir).library
    records = Records.open(settings)
    try:
        out = annual_report(records, library, args.year, args.out, datetime.now(REPORT_TZ).date())
    finally:
        records.close()
    print(text("annual", "cli.written", path=out))
    return 0
