"""``pufa outreach``: on-site outreach sessions (现场普法) — add, list, correct, delete, import."""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.cli.parsing import add_command
from bot.cli.units import read_file
from bot.records.calendar import REPORT_TZ
from bot.records.errors import RecordsError
from bot.records.messages import text
from bot.records.reports.labels import article_label
from bot.records.services import Records
from bot.records.sessions.audit import audit_lines
from bot.records.sessions.log import OnsiteLog
from bot.records.sessions.records import OnsiteSession, SessionInput, session_dict
from bot.records.sessions.sheet import ArticleResolver, Teaching, article_resolver
from bot.records.validate import parse_attendees, parse_count, parse_date, parse_time
from bot.reports.titles import document_titles
from bot.settings import Settings
from knowledge.assistant import Assistant
from knowledge.law import domains

DOMAIN_HELP = "涉及领域（实验动物、人类遗传资源、生物安全……；可重复；不填则取该单位在库中的领域）"



def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Register ``outreach`` and its sub-commands on the ``pufa`` parser."""
    outreach = add_command(
        subparsers,
        "outreach",
        "现场普法活动记录：登记、查看、更正、删除、从表格导入",
        "pufa outreach add --unit 康源 --date 2026-03-15 --attendees 25 --topic 实验动物许可管理",
    )
    commands = outreach.add_subparsers(
        dest="outreach_command", required=True, metavar="{add,list,edit,delete,import,audit}"
    )

    added = add_command(
        commands,
        "add",
        "登记一次已开展的现场普法活动（日期可为过去，不能晚于今天）",
        "pufa outreach add --unit 91110108000000001A --date 2026-03-15 --time 14:30 --attendees 25 "
        "--inspection 2026-011 --topic 实验动物许可管理 --inspector 王检查 --article 实验动物管理条例第十三条",
    )
    added.add_argument(
        "--unit",
        metavar="单位",
        required=True,
        help="单位名称（或其中一段）或统一社会信用代码（须已在执法对象库中）",
    )
    added.add_argument("--date", metavar="YYYY-MM-DD", required=True, help="日期 YYYY-MM-DD")
    added.add_argument("--attendees", metavar="人数", required=True, help="参加人数")
    _session_fields(added)
    added.add_argument(
        "--allow-duplicate",
        action="store_true",
        help="确属另一次活动时使用：允许同一单位同一时间再登记一次，或与其他单位共用执法检查编号",
    )
    added.set_defaults(func=run_add)

    listed = add_command(commands, "list", "列出某年的现场普法活动", "pufa outreach list --year 2026 --json")
    listed.add_argument("--year", type=int, default=datetime.now(REPORT_TZ).year, help="年份（默认今年）")
    listed.add_argument("--unit", metavar="单位", help="只列出某一单位的活动")
    listed.add_argument("--domain", metavar="领域", help="只列出涉及某一领域的活动，如 实验动物")
    listed.add_argument("--json", action="store_true", help="输出 JSON 数组")
    listed.set_defaults(func=run_list)

    edited = add_command(
        commands,
        "edit",
        "更正一次现场普法活动（只改给出的项；修改记录留痕，可用 pufa outreach audit 查看）",
        "pufa outreach edit 12 --attendees 30 --date 2026-03-16",
    )
    edited.add_argument("id", type=int, metavar="ID", help="活动编号（见 pufa outreach list）")
    edited.add_argument("--unit", metavar="单位", help="单位名称或统一社会信用代码")
    edited.add_argument("--date", metavar="YYYY-MM-DD", help="日期 YYYY-MM-DD")
    edited.add_argument("--attendees", metavar="人数", help="参加人数")
    _session_fields(edited)
    edited.set_defaults(func=run_edit)

    deleted = add_command(
        commands,
        "delete",
        "删除一次误登记的现场普法活动（删除记录留痕）",
        "pufa outreach delete 12 --reason 重复登记",
    )
    deleted.add_argument("id", type=int, metavar="ID", help="活动编号")
    deleted.add_argument("--reason", metavar="原因", default="", help="删除原因")
    deleted.add_argument("--by", metavar="姓名", help="操作人姓名（默认当前系统用户）")
    deleted.set_defaults(func=run_delete)

    imported = add_command(
        commands,
        "import",
        "从表格（.csv 或 .xlsx）导入一年的现场普法活动；列：日期、时间、单位、参加人数、领域、执法检查编号、主题、"
        "执法检查人员、讲解条文、时长（分钟）。有错误行时整个文件不导入（除非加 --partial）",
        "pufa outreach import 2026年现场普法.xlsx",
    )
    imported.add_argument(
        "file", type=Path, nargs="?", metavar="FILE", help="CSV（UTF-8、带 BOM 的 UTF-8 或 GBK）或 XLSX 文件"
    )
    imported.add_argument("--undo", type=int, metavar="BATCH", help="整批撤销一次导入（批次号见导入结果）")
    imported.add_argument("--partial", action="store_true", help="只导入正确的行，错误行列出后跳过")
    imported.add_argument("--by", metavar="姓名", help="操作人姓名（默认当前系统用户）")
    imported.set_defaults(func=run_import)

    audit = add_command(commands, "audit", "查看一次活动的登记、更正、删除记录", "pufa outreach audit 12")
    audit.add_argument("id", type=int, metavar="ID", help="活动编号（已删除的也可查）")
    audit.set_defaults(func=run_audit)


def _session_fields(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--time", metavar="HH:MM", help="开始时间 HH:MM（默认 09:00）")
    parser.add_argument("--minutes", metavar="分钟", help="时长（分钟，默认 60）")
    parser.add_argument("--domain", metavar="领域", action="append", help=DOMAIN_HELP)
    parser.add_argument("--inspection", metavar="编号", help="执法检查编号")
    parser.add_argument("--topic", metavar="主题", help="普法主题")
    parser.add_argument("--inspector", metavar="姓名", action="append", help="在场执法检查人员姓名（可重复）")
    parser.add_argument(
        "--article", metavar="条文", action="append", help="讲解的条文，如 实验动物管理条例第十三条（可重复）"
    )
    parser.add_argument("--by", metavar="姓名", help="操作人姓名（默认当前系统用户）")


def _actor(args: argparse.Namespace) -> str:
    return f"cli:{args.by or getpass.getuser()}"


def _resolver(settings: Settings) -> ArticleResolver:
    """Article references checked against the index (opened only when an article is given)."""
    opened: list[ArticleResolver] = []

    def resolve(raw: str) -> Teaching:
        if not opened:
            opened.append(article_resolver(Assistant.open_library(settings.data_dir).library))
        return opened[0](raw)

    return resolve


def _changes(args: argparse.Namespace, log: OnsiteLog, settings: Settings) -> dict[str, Any]:
    """The SessionInput fields given on the command line, parsed (Chinese errors name the field)."""
    changes: dict[str, Any] = {}
    if args.unit is not None:
        changes["unit"] = args.unit
    if args.date is not None:
        changes["day"] = parse_date(args.date, log.today())
    if args.attendees is not None:
        changes["attendees"] = parse_attendees(args.attendees)
    if args.time is not None:
        changes["start"] = parse_time(args.time)
    if args.minutes is not None:
        changes["minutes"] = parse_count(args.minutes, "时长（分钟）")
    if args.domain:
        changes["domains"] = tuple(args.domain)
    if args.inspection is not None:
        changes["inspection_no"] = args.inspection
    if args.topic is not None:
        changes["topic"] = args.topic
    if args.inspector:
        changes["inspectors"] = tuple(args.inspector)
    if args.article:
        teaching = _resolver(settings)("；".join(args.article))
        changes["articles"], changes["article_domains"] = teaching.articles, teaching.domains
    return changes


def _with_log(settings: Settings, work: Callable[[OnsiteLog], int]) -> int:
    store = Records.open(settings)
    try:
        return work(store.sessions)
    finally:
        store.close()


def session_line(session: OnsiteSession, titles: dict[str, str]) -> str:
    """One session as a line of text."""
    data = session_dict(session)
    return text(
        "cli.session_line",
        id=session.id,
        date=data["date"],
        time=data["time"],
        unit=session.unit.name,
        domains="、".join(domains.label(d) for d in session.domains) or domains.label(domains.NONE),
        attendees=session.attendees or 0,
        inspection=session.inspection_no or "—",
        topic=session.topic or "—",
        inspectors="、".join(session.inspectors) or "—",
        articles="、".join(article_label(r.doc_id, r.article, titles) for r in session.articles) or "—",
    )


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    def work(log: OnsiteLog) -> int:
        changes = _changes(args, log, settings)
        session = log.add(SessionInput(**changes), _actor(args), allow_duplicate=args.allow_duplicate)
        print(text("cli.session_added", id=session.id))
        print(session_line(session, document_titles(settings.data_dir, settings.corpus_dir)))
        return 0

    return _with_log(settings, work)


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    def work(log: OnsiteLog) -> int:
        sessions = log.list(args.year, args.unit, args.domain)
        titles = document_titles(settings.data_dir, settings.corpus_dir)
        if args.json:
            listed = []
            for session in sessions:
                data = session_dict(session)
                data["domain_labels"] = [domains.label(d) for d in session.domains]
                for ref in data["articles"]:
                    ref["label"] = article_label(ref["doc_id"], ref["article"], titles)
                listed.append(data)
            print(json.dumps(listed, ensure_ascii=False, indent=2))
            return 0
        print(text("cli.sessions_header", year=args.year, count=len(sessions)))
        for session in sessions:
            print(session_line(session, titles))
        return 0

    return _with_log(settings, work)


def run_edit(args: argparse.Namespace, settings: Settings) -> int:
    def work(log: OnsiteLog) -> int:
        changes = _changes(args, log, settings)
        if not changes:
            print(text("cli.nothing_to_change"))
            return 1
        session = log.edit(args.id, _actor(args), **changes)
        print(text("cli.session_edited", id=session.id))
        print(session_line(session, document_titles(settings.data_dir, settings.corpus_dir)))
        return 0

    return _with_log(settings, work)


def run_delete(args: argparse.Namespace, settings: Settings) -> int:
    def work(log: OnsiteLog) -> int:
        session = log.delete(args.id, _actor(args), args.reason)
        print(text("cli.session_deleted", id=session.id, unit=session.unit.name))
        return 0

    return _with_log(settings, work)


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    if (args.undo is None) == (args.file is None):
        raise RecordsError(text("cli.import_usage", command="pufa outreach import"))
    if args.undo is not None:

        def undo(log: OnsiteLog) -> int:
            print(log.undo_import(args.undo, _actor(args)))
            return 0

        return _with_log(settings, undo)
    content = read_file(args.file, settings.upload_max_bytes)

    def work(log: OnsiteLog) -> int:
        report = log.import_sheet(
            args.file.name, content, _actor(args), partial=args.partial, resolve_articles=_resolver(settings)
        )
        print(report.render(undo_command="pufa outreach import --undo {batch}"))
        return 0 if report.applied else 1

    return _with_log(settings, work)


def run_audit(args: argparse.Namespace, settings: Settings) -> int:
    def work(log: OnsiteLog) -> int:
        trail = log.audit(args.id)
        if not trail:
            print(text("errors.onsite_unknown", id=args.id))
            return 1
        titles = document_titles(settings.data_dir, settings.corpus_dir)
        for entry in trail:
            for line in audit_lines(entry, titles):
                print(text("cli.audit_line", action=text(f"cli.audit_{entry['action']}"), details=line))
        return 0

    return _with_log(settings, work)
