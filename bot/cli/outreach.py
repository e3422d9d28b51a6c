"""``pufa stats``, ``pufa export`` and ``pufa db upgrade`` (operator commands, no role check)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy import exc as sa_exc

from bot.cli.parsing import add_command
from bot.records.calendar import REPORT_TZ
from bot.records.db import make_engine
from bot.records.errors import DatabaseUnavailable
from bot.records.messages import text
from bot.records.reports.prose import render_text
from bot.records.schema import current_revision, head_revision, upgrade
from bot.records.services import Records
from bot.reports import chart, export
from bot.reports.titles import document_titles
from bot.settings import Settings
from knowledge.law import domains


def _this_year() -> int:
    return datetime.now(REPORT_TZ).year


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Register ``stats``, ``export`` and ``db`` on the ``pufa`` parser."""
    stats = add_command(
        subparsers,
        "stats",
        "普法宣传统计：场次、覆盖单位、咨询、引用条文与年报段落",
        "pufa stats --year 2026",
        "pufa stats --year 2026 --quarter 3 --chart 2026年三季度.png",
    )
    stats.add_argument("--year", type=int, default=_this_year(), help="年份（默认今年）")
    stats.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), help="只统计某一季度")
    stats.add_argument(
        "--domain",
        metavar="领域",
        help="只统计某一领域：" + "、".join(domains.label(c) for c in domains.known()),
    )
    stats.add_argument("--json", action="store_true", help="输出 JSON")
    stats.add_argument("--chart", type=Path, metavar="FILE", help="把按月、按领域的场次图（PNG）写入 FILE")
    stats.set_defaults(func=run_stats)

    export = add_command(
        subparsers,
        "export",
        "导出全年普法会话明细（每个会话一行；CSV 带 BOM，可直接用 Excel 打开）",
        "pufa export --year 2026 --format xlsx --out 2026年普法明细.xlsx",
    )
    export.add_argument("--year", type=int, default=_this_year(), help="年份（默认今年）")
    export.add_argument("--format", dest="fmt", choices=("csv", "xlsx"), default="csv", help="csv 或 xlsx")
    export.add_argument("--out", type=Path, metavar="FILE", help="输出文件（默认 pufa-outreach-年份.格式）")
    export.set_defaults(func=run_export)

    db = add_command(
        subparsers, "db", "普法记录数据库：迁移到最新版本或查看当前版本", "pufa db upgrade", "pufa db current"
    )
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="{upgrade,current}")
    db_commands.add_parser("upgrade", help="应用数据库迁移到最新版本").set_defaults(func=run_db_upgrade)
    db_commands.add_parser("current", help="显示数据库当前版本").set_defaults(func=run_db_current)


def run_stats(args: argparse.Namespace, settings: Settings) -> int:
    store = Records.open(settings)
    try:
        titles = document_titles(settings.data_dir, settings.corpus_dir)
        figures = store.reports.stats(args.year, args.quarter, args.domain, titles)
        if args.chart:
            chart.write_chart(figures, args.chart)
    finally:
        store.close()
    if args.json:
        print(json.dumps(figures.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_text(figures))
    if args.chart:
        print(text("cli.chart_written", path=args.chart), file=sys.stderr)
    return 0


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    out = args.out or Path(f"pufa-outreach-{args.year}.{args.fmt}")
    store = Records.open(settings)
    try:
        titles = document_titles(settings.data_dir, settings.corpus_dir)
        export.write(store.reports.session_rows(args.year, titles), args.fmt, out, args.year)
    finally:
        store.close()
    print(text("cli.exported", path=out))
    return 0


def run_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.effective_database_url)
    try:
        revision = upgrade(engine)
    except sa_exc.SQLAlchemyError as error:
        raise DatabaseUnavailable(str(getattr(error, "orig", error)).splitlines()[0]) from None
    finally:
        engine.dispose()
    print(text("cli.db_upgraded", revision=revision, url=engine.url.render_as_string(hide_password=True)))
    return 0


def run_db_current(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.effective_database_url)
    try:
        current = current_revision(engine)
    except sa_exc.SQLAlchemyError as error:
        raise DatabaseUnavailable(str(getattr(error, "orig", error)).splitlines()[0]) from None
    finally:
        engine.dispose()
    print(text("cli.db_current", current=current or "无", head=head_revision()))
    return 0 if current == head_revision() else 1
