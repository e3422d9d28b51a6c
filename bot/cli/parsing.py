"""argparse in Chinese: its own headings and messages translated, one-line usage errors, and a helper that
gives every sub-command a description and an example line."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, NoReturn

# argparse's own messages (its gettext ids) in Chinese.
_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ambiguous option: %(option)s could match %(matches)s": "有歧义的选项 %(option)s，可能是 %(matches)s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}


def _translate(message: str) -> str:
    return _ZH.get(message, message)


argparse._ = _translate  # type: ignore[attr-defined]  # argparse looks its messages up through this name


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose sub-parsers share its class; errors print usage and one Chinese line."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, _translate("%(prog)s: error: %(message)s\n") % {"prog": self.prog, "message": message})


def add_command(
    subparsers: argparse._SubParsersAction, name: str, summary: str, *examples: str, **kwargs: Any
) -> argparse.ArgumentParser:
    """A sub-command with ``summary`` as its help (and description, unless given), ``examples`` under "示例"."""
    epilog = "示例：\n" + "\n".join(f"  {example}" for example in examples) if examples else None
    return subparsers.add_parser(
        name,
        help=summary,
        description=kwargs.pop("description", summary),
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kwargs,
    )


def silence_broken_pipe() -> None:
    """After the reader of stdout went away (``| head``), keep Python from complaining at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
