"""``pufa stats``, ``pufa export`` and ``pufa db upgrade`` (operator commands, no role check)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy import exc as sa_exc

from bot.outreach.db import current_revision, head_revision, make_engine, upgrade
from bot.outreach.errors import DatabaseUnavailable, OutreachError
from bot.outreach.messages import text
from bot.outreach.stats import REPORT_TZ, render_text
from bot.outreach.store import OutreachStore
from bot.reports import chart, export
from bot.reports.titles import document_titles
from bot.settings import Settings
from knowledge.law import domains


def _this_year() -> int:
    return datetime.now(REPORT_TZ).year


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Register ``stats``, ``export`` and ``db`` on the ``pufa`` parser."""
    stats = subparsers.add_parser("stats", help="普法宣传统计：场次、覆盖单位、咨询、引用条文与年报段落")
    stats.add_argument("--year", type=int, default=_this_year(), help="年份（默认今年）")
    stats.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), help="只统计某一季度")
    stats.add_argument(
        "--domain",
        choices=domains.known(),
        help="只统计某一领域：" + "、".join(f"{c}（{domains.label(c)}）" for c in domains.known()),
    )
    stats.add_argument("--json", action="store_true", help="输出 JSON")
    stats.add_argument("--chart", type=Path, metavar="FILE", help="把按月、按领域的场次图（PNG）写入 FILE")
    stats.set_defaults(func=run_stats)

    export = subparsers.add_parser("export", help="导出全年会话明细（每个会话一行）")
    export.add_argument("--year", type=int, default=_this_year(), help="年份（默认今年）")
    export.add_argument("--format", dest="fmt", choices=("csv", "xlsx"), default="csv", help="csv 或 xlsx")
    export.add_argument("--out", type=Path, metavar="FILE", help="输出文件（默认 pufa-outreach-年份.格式）")
    export.set_defaults(func=run_export)

    db = subparsers.add_parser("db", help="普法记录数据库")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="{upgrade,current}")
    db_commands.add_parser("upgrade", help="应用数据库迁移到最新版本").set_defaults(func=run_db_upgrade)
    db_commands.add_parser("current", help="显示数据库当前版本").set_defaults(func=run_db_current)


def run_stats(args: argparse.Namespace, settings: Settings) -> int:
    try:
        store = OutreachStore.open(settings)
    except OutreachError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        titles = document_titles(settings.data_dir, settings.corpus_dir)
        figures = store.stats(args.year, args.quarter, args.domain, titles)
        if args.chart:
            chart.write_chart(figures, args.chart)
    except OutreachError as error:
        print(error, file=sys.stderr)
        return 1
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
    try:
        store = OutreachStore.open(settings)
    except OutreachError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        if args.fmt not in ("csv", "xlsx"):
            raise OutreachError(text("errors.export_format"))
        titles = document_titles(settings.data_dir, settings.corpus_dir)
        export.write(store.session_rows(args.year, titles), args.fmt, out, args.year)
    except OutreachError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        store.close()
    print(text("cli.exported", path=out))
    return 0


def run_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.effective_database_url)
    try:
        revision = upgrade(engine)
    except sa_exc.SQLAlchemyError as error:
        print(DatabaseUnavailable(str(getattr(error, "orig", error)).splitlines()[0]), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(text("cli.db_upgraded", revision=revision, url=engine.url.render_as_string(hide_password=True)))
    return 0


def run_db_current(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.effective_database_url)
    try:
        current = current_revision(engine)
    except sa_exc.SQLAlchemyError as error:
        print(DatabaseUnavailable(str(getattr(error, "orig", error)).splitlines()[0]), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(text("cli.db_current", current=current or "无", head=head_revision()))
    return 0 if current == head_revision() else 1
