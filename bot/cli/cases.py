"""``pufa cases [QUERY] [--json]``: the typical cases of the index (以案释法)."""

from __future__ import annotations

import argparse
import json
import sys

from bot.render import case_lines
from bot.settings import Settings
from knowledge.templates import text


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    cases = subparsers.add_parser(
        "cases",
        help=text("cases", "cli.help"),
        description=text("cases", "cli.description"),
        epilog=text("cases", "cli.epilog"),
    )
    cases.add_argument("query", nargs="*", help=text("cases", "cli.query_help"))
    cases.add_argument("--json", action="store_true", help=text("cases", "cli.json_help"))
    cases.set_defaults(func=run_cases)


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
        print("\n".join([*case_lines(cited), text("cases", "render.id", id=cited.id)]))
        print()
    return 0
