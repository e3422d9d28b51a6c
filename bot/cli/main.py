"""The ``pufa`` command: one sub-command per job; operator errors print one line, never a traceback."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from bot.settings import Settings
from knowledge.errors import PufaError

# Which module registers each sub-command; only the one asked for is imported, so `pufa cite` starts fast.
COMMAND_MODULES = {
    "ingest": "bot.cli.knowledge",
    "cite": "bot.cli.knowledge",
    "search": "bot.cli.knowledge",
    "ask": "bot.cli.knowledge",
    "eval": "bot.cli.evaluate",
    "chat": "bot.cli.surfaces",
    "serve": "bot.cli.surfaces",
    "stats": "bot.cli.outreach",
    "export": "bot.cli.outreach",
    "db": "bot.cli.outreach",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``pufa`` parser; with ``command`` known, only that command's module is loaded."""
    parser = argparse.ArgumentParser(
        prog="pufa", description="普法助手：实验动物与人类遗传资源管理法律知识助手"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = [COMMAND_MODULES[command]] if command in COMMAND_MODULES else COMMAND_MODULES.values()
    for name in dict.fromkeys(modules):
        importlib.import_module(name).add_parsers(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"配置错误（invalid setting）: {exc}", file=sys.stderr)
        return 2
    try:
        status = args.func(args, settings)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below, not at exit
        return status
    except PufaError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (``pufa ask … | head -1``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
