"""``pufa cases [QUERY] [--json]`` (typical cases, 以案释法) and ``pufa brief UNIT`` (pre-inspection briefing)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from bot.briefing import writers
from bot.briefing.errors import BriefingError
from bot.briefing.outline import Block
from bot.briefing.writers import SUFFIXES
from bot.cli.parsing import add_command
from bot.records.calendar import REPORT_TZ
from bot.records.models import MATERIALS
from bot.render import case_lines
from bot.settings import Settings
from knowledge.templates import text


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    cases = add_command(
        subparsers,
        "cases",
        text("cases", "cli.help"),
        *text("cases", "cli.epilog").removeprefix("示例：").split("；"),
        description=text("cases", "cli.description"),
    )
    cases.add_argument("query", nargs="*", help=text("cases", "cli.query_help"))
    cases.add_argument("--json", action="store_true", help=text("cases", "cli.json_help"))
    cases.set_defaults(func=run_cases)

    brief = add_command(
        subparsers,
        "brief",
        text("briefing", "cli.help"),
        *text("briefing", "cli.epilog").removeprefix("示例：").split("；"),
        description=text("briefing", "cli.description"),
    )
    brief.add_argument("unit", nargs="+", help=text("briefing", "cli.unit_help"))
    brief.add_argument("--date", metavar="YYYY-MM-DD", help=text("briefing", "cli.date_help"))
    brief.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help=text("briefing", "cli.out_help")
    )
    brief.add_argument("--handout", type=Path, metavar="FILE", help=text("briefing", "cli.handout_help"))
    brief.add_argument("--session", type=int, metavar="ID", help=text("briefing", "cli.session_help"))
    brief.set_defaults(func=run_brief)

    materials = add_command(
        subparsers,
        "materials",
        text("briefing", "report.help"),
        *text("briefing", "report.epilog").removeprefix("示例：").split("；"),
        description=text("briefing", "report.description"),
    )
    materials.add_argument(
        "--year", type=int, default=datetime.now(REPORT_TZ).year, help=text("briefing", "report.year_help")
    )
    materials.add_argument("--json", action="store_true", help=text("briefing", "report.json_help"))
    materials.set_defaults(func=run_materials)


def run_cases(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.assistant import Assistant
    from knowledge.cases.lookup import cite_case, find_cases

    library = Assistant.open_library(settings.data_dir).library
    query = " ".join(args.query).strip()
    found = [cite_case(library, case) for case in find_cases(library, query)]
    if args.json:
        records = [{**cited.case.as_dict(), "rules": list(cited.rules)} for cited in found]
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    if not found:
        key = "cli.none" if library.cases else "cli.empty"
        print(text("cases", key, query=query), file=sys.stderr)
        return 1
    for cited in found:
        print("\n".join(case_lines(cited)))
        print()
    return 0


def _parse_date(value: str | None) -> date:
    if value is None:
        return datetime.now(REPORT_TZ).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BriefingError(text("briefing", "cli.bad_date", value=value)) from None


def _check_out(path: Path | None) -> None:
    """BriefingError unless ``path`` ends in .docx/.md and its folder can be written (checked before any work)."""
    if path is None:
        return
    if path.suffix.lower() not in SUFFIXES:
        raise BriefingError(text("briefing", "cli.bad_suffix", path=path))
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BriefingError(text("briefing", "cli.out_unwritable", path=path, reason=error.strerror)) from None
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise BriefingError(text("briefing", "cli.out_unwritable", path=path, reason="没有写权限"))


def _write(blocks: Sequence[Block], out: Path, compact: bool = False) -> None:
    try:
        writers.write(blocks, out, compact)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise BriefingError(text("briefing", "cli.out_unwritable", path=out, reason=reason)) from None


def run_brief(args: argparse.Namespace, settings: Settings) -> int:
    from bot.briefing.content import build_briefing
    from bot.briefing.outline import briefing_outline, handout_outline
    from bot.records.services import Records
    from knowledge.assistant import Assistant

    on = _parse_date(args.date)
    _check_out(args.out)
    _check_out(args.handout)
    library = Assistant.open_library(settings.data_dir).library
    store = Records.open(settings)
    try:
        briefing = build_briefing(store, library, " ".join(args.unit), on)
        if args.session is not None:
            store.materials.check(args.session, briefing.unit.id)
        _write(briefing_outline(briefing), args.out)
        print(text("briefing", "cli.written", path=args.out))
        if args.handout:
            _write(handout_outline(briefing, settings.bot_username), args.handout, compact=True)
            print(text("briefing", "cli.handout_written", path=args.handout))
        if args.session is not None:
            store.materials.record(
                args.session, briefing.unit.id, MATERIALS, on, [c.id for c in briefing.cases]
            )
            print(text("briefing", "cli.recorded", id=args.session))
    finally:
        store.close()
    return 0


def run_materials(args: argparse.Namespace, settings: Settings) -> int:
    from bot.records.services import Records
    from knowledge.assistant import Assistant

    cases = Assistant.open_library(settings.data_dir).library.cases
    titles = {case_id: case.title for case_id, case in cases.items()}
    store = Records.open(settings)
    try:
        used = store.materials.of_year(args.year)
        onsite = store.reports.stats(args.year).onsite
    finally:
        store.close()
    with_cases = [m for m in used if m.case_ids]
    sentence = text(
        "briefing",
        "report.sentence",
        year=args.year,
        onsite=onsite,
        briefed=len(used),
        with_cases=len(with_cases),
        cases=len({c for m in used for c in m.case_ids}),
    )
    if args.json:
        sessions = [
            {
                "session_id": m.session_id,
                "date": m.started_at.astimezone(REPORT_TZ).date().isoformat(),
                "kinds": list(m.kinds),
                "cases": list(m.case_ids),
                "case_titles": [titles.get(c, c) for c in m.case_ids],
            }
            for m in used
        ]
        record = {
            "year": args.year,
            "onsite_sessions": onsite,
            "sessions_with_briefing": len(used),
            "sessions_with_cases": len(with_cases),
            "sessions": sessions,
            "report_sentence": sentence,
        }
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return 0
    for m in used:
        kinds = "、".join(text("briefing", f"report.kind_{kind}") for kind in m.kinds)
        date_text = m.started_at.astimezone(REPORT_TZ).date().isoformat()
        print(
            text(
                "briefing",
                "report.line",
                id=m.session_id,
                date=date_text,
                kinds=kinds,
                cases="、".join(titles.get(c, c) for c in m.case_ids) or "无",
            )
        )
    print(sentence)
    return 0
