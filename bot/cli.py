"""The ``pufa`` command: one sub-command per job; operator errors print one line, never a traceback."""

from __future__ import annotations

import argparse
import sys

from bot import commands_bot, commands_eval, commands_knowledge, commands_outreach
from bot.settings import Settings
from knowledge.errors import PufaError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pufa", description="普法助手：实验动物与人类遗传资源管理法律知识助手"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (commands_knowledge, commands_eval, commands_bot, commands_outreach):
        module.add_parsers(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"配置错误（invalid setting）: {exc}", file=sys.stderr)
        return 2
    try:
        return args.func(args, settings)
    except PufaError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
