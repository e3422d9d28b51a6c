"""The ``pufa`` command as a process: Chinese help with examples, one-line failures with a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import COMMAND_MODULES

REPO = Path(__file__).resolve().parents[3]


def pufa(*args: str, env: dict[str, str] | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PUFA_", "LLM_", "TELEGRAM_", "CHROMA_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        env=base | (env or {}),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_top_level_help_is_chinese_with_examples() -> None:
    result = pufa("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("用法：pufa") and "选项" in result.stdout and "示例：" in result.stdout
    assert "show this help" not in result.stdout and "usage:" not in result.stdout


@pytest.mark.parametrize("command", sorted(COMMAND_MODULES))
def test_every_command_has_a_description_and_an_example(command: str) -> None:
    result = pufa(command, "--help")
    assert result.returncode == 0, result.stderr
    usage, description = result.stdout.split("\n\n")[:2]
    assert usage.startswith(f"用法：pufa {command}")
    assert any("\u4e00" <= char <= "\u9fff" for char in description)
    assert "示例：\n  pufa " in result.stdout or "示例：\n  make " in result.stdout
    assert "optional arguments" not in result.stdout and "show this help" not in result.stdout


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (["stats", "--year", "x"], {}, "--year"),
        (["cite"], {}, "ref"),
        (["nosuchcommand"], {}, "nosuchcommand"),
        (["cite", "人遗条例第22条"], {"PUFA_ADMIN_IDS": "12,abc"}, "PUFA_ADMIN_IDS"),
        (["cite", "人遗条例第22条"], {"LLM_TIMEOUT_S": "fast"}, "LLM_TIMEOUT_S"),
        (["cite", "人遗条例第22条"], {"LLM_BASE_URL": "ftp://x"}, "LLM_BASE_URL"),
        (["ask", "动物房要消毒吗"], {"PUFA_DATA_DIR": "/nonexistent/pufa"}, "pufa ingest"),
        (["eval", "/nonexistent/eval.jsonl"], {}, "/nonexistent/eval.jsonl"),
    ],
)
def test_failures_print_one_line_and_exit_non_zero(
    args: list[str], env: dict[str, str], needle: str, tmp_path: Path
) -> None:
    result = pufa(*args, env=env, cwd=tmp_path)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if not line.startswith(("用法：", " "))]
    assert len(lines) == 1, result.stderr
    assert needle in lines[0] and "Traceback" not in result.stderr
