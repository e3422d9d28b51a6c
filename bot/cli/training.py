"""``pufa training add|import|report``: inspectors' training hours against the yearly requirement."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date, datetime
from pathlib import Path

from bot.cli.quiz import command_parser
from bot.records.calendar import REPORT_TZ
from bot.records.services import Records
from bot.records.training.entries import TrainingError, kinds, make_entry, read_entries
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
    load.add_argument("file", type=Path, nargs="?", metavar="FILE.csv|xlsx", help=text("cli.file_help"))
    load.add_argument("--partial", action="store_true", help=text("cli.partial_help"))
    load.add_argument("--undo", type=int, metavar="BATCH", help=text("cli.undo_help"))
    load.add_argument("--by", metavar="姓名", help=text("cli.by_help"))
    load.set_defaults(func=run_import)

    report = command_parser(actions, "report", "report")
    report.add_argument("--year", type=int, default=datetime.now(REPORT_TZ).year, help=text("cli.year_help"))
    report.add_argument("--json", action="store_true", help=text("cli.json_help"))
    report.add_argument("--xlsx", type=Path, metavar="FILE", help=text("cli.xlsx_help"))
    report.add_argument("--chart", type=Path, metavar="FILE", help=text("cli.chart_help"))
    report.set_defaults(func=run_report)


def _today() -> date:
    return datetime.now(REPORT_TZ).date()


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    entry = make_entry(args.inspector, args.date, args.hours, args.kind, args.topic, args.score, today=_today())
    records = Records.open(settings)
    try:
        records.training.add(entry)
    finally:
        records.close()
    print(
        text(
            "cli.added", inspector=entry.inspector, date=entry.day, kind=entry.kind, hours=f"{entry.hours:g}"
        )
    )
    return 0


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    actor = f"cli:{args.by or getpass.getuser()}"
    if (args.undo is None) == (args.file is None):
        raise TrainingError(text("cli.import_usage"))
    if args.undo is not None:
        records = Records.open(settings)
        try:
            print(records.training.undo(args.undo, actor))
        finally:
            records.close()
        return 0
    sheet = read_entries(args.file, _today())  # every row checked before anything is stored
    if sheet.problems and not args.partial:
        lines = "\n".join(
            text("errors.row", path=args.file.name, line=line, problem=problem) for line, problem in sheet.problems
        )
        raise TrainingError(text("errors.rows", path=args.file, count=len(sheet.problems), lines=lines))
    records = Records.open(settings)
    try:
        report = records.training.import_entries(args.file.name, sheet, actor, partial=args.partial)
    finally:
        records.close()
    print(text("cli.imported", path=args.file))
    print(report.render(undo_command="pufa training import --undo {batch}"))
    return 0 if report.applied else 1


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
