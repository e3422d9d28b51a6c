"""``pufa training add|import|report``: inspectors' training hours against the yearly requirement."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from bot.cli.quiz import command_parser
from bot.records.calendar import REPORT_TZ
from bot.records.services import Records
from bot.records.training.entries import kinds, make_entry, read_entries
from bot.records.training.messages import text
from bot.reports.training import write_training_chart, write_training_xlsx
from bot.settings import Settings
from knowledge.quiz.topics import topic_names


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Register ``training`` with its ``add``, ``import`` and ``report`` sub-commands."""
    training = command_parser(
        subparsers, "training", "training", required=f"{Settings().training_required_hours:g}"
    )
    actions = training.add_subparsers(dest="training_command", required=True, metavar="{add,import,report}")
    topics = "、".join(topic_names())

    add = command_parser(actions, "add", "add")
    add.add_argument("--inspector", required=True, help=text("cli.inspector_help"))
    add.add_argument("--date", required=True, metavar="YYYY-MM-DD", help=text("cli.date_help"))
    add.add_argument("--hours", required=True, help=text("cli.hours_help"))
    add.add_argument("--kind", required=True, help=text("cli.kind_help", kinds="、".join(kinds())))
    add.add_argument("--topic", default="", help=text("cli.record_topic_help", topics=topics))
    add.add_argument("--score", help=text("cli.score_help"))
    add.set_defaults(func=run_add)

    load = command_parser(actions, "import", "import")
    load.add_argument("file", type=Path, metavar="FILE.csv|xlsx", help=text("cli.file_help"))
    load.set_defaults(func=run_import)

    report = command_parser(actions, "report", "report")
    report.add_argument("--year", type=int, default=datetime.now(REPORT_TZ).year, help=text("cli.year_help"))
    report.add_argument("--json", action="store_true", help=text("cli.json_help"))
    report.add_argument("--xlsx", type=Path, metavar="FILE", help=text("cli.xlsx_help"))
    report.add_argument("--chart", type=Path, metavar="FILE", help=text("cli.chart_help"))
    report.set_defaults(func=run_report)


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    entry = make_entry(args.inspector, args.date, args.hours, args.kind, args.topic, args.score)
    records = Records.open(settings)
    try:
        records.training.add([entry])
    finally:
        records.close()
    print(
        text(
            "cli.added", inspector=entry.inspector, date=entry.day, kind=entry.kind, hours=f"{entry.hours:g}"
        )
    )
    return 0


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    entries = read_entries(args.file)  # every row checked before anything is stored
    records = Records.open(settings)
    try:
        count = records.training.add(entries, source="import")
    finally:
        records.close()
    print(text("cli.imported", count=count, path=args.file))
    return 0


def run_report(args: argparse.Namespace, settings: Settings) -> int:
    records = Records.open(settings)
    try:
        report = records.training.report(args.year)
    finally:
        records.close()
    if args.json:
        print(json.dumps(report.to_list(), ensure_ascii=False, indent=2))
    else:
        print(report.render_text())
    if args.xlsx:
        print(text("cli.written", path=write_training_xlsx(report, args.xlsx)), file=sys.stderr)
    if args.chart:
        print(text("cli.written", path=write_training_chart(report, args.chart)), file=sys.stderr)
    return 0
