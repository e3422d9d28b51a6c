"""The ``pufa`` command: one sub-command per job, help in Chinese; every failure is one line, never a traceback."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot.cli import parsing
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
    "quiz": "bot.cli.quiz",
    "exam": "bot.cli.quiz",
    "training": "bot.cli.training",
    "units": "bot.cli.units",
    "outreach": "bot.cli.onsite",
    "cases": "bot.cli.cases",
    "brief": "bot.cli.cases",
    "materials": "bot.cli.cases",
    "report": "bot.cli.report",
    "web": "bot.cli.web",
    "users": "bot.cli.web",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``pufa`` parser; with ``command`` known, only that command's module is loaded."""
    parser = parsing.ChineseParser(
        prog="pufa",
        description="普法助手：实验动物与人类遗传资源管理法律知识助手（“谁执法谁普法”）",
        epilog="示例：\n  pufa cite 人遗条例第22条\n  pufa ask 我们和外企合作做测序要审批吗？\n"
        "每个命令的用法：pufa 命令 --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="命令", title="命令")
    modules = [COMMAND_MODULES[command]] if command in COMMAND_MODULES else COMMAND_MODULES.values()
    for name in dict.fromkeys(modules):
        importlib.import_module(name).add_parsers(subparsers)
    return parser


def run(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run a parsed command (with the environment's settings unless given): the one place errors are shown."""
    try:
        status = int(args.func(args, settings or Settings.from_env()))
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below, not at exit
        return status
    except PufaError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (``pufa ask … | head -1``): stop quietly
        parsing.silence_broken_pipe()
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    return run(build_parser(argv[0] if argv else None).parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
