"""`pufa ask` / `pufa search` with bytes that are not UTF-8: one clear line naming where, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.settings import Settings


def _pufa(args: list[bytes], stdin: bytes, settings: Settings) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PUFA_DATA_DIR": str(settings.data_dir), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"bot.cli.main", *args],
        input=stdin,
        env=env,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.parametrize("command", [b"ask", b"search"])
def test_invalid_utf8_on_stdin_is_named_by_line(settings: Settings, command: bytes) -> None:
    stdin = '{"id": 1, "question": "动物房要消毒吗"}\n'.encode() + b'{"id": 2, "question": "\xff\xfe\xb0"}\n'
    result = _pufa([command, b"--jsonl"], stdin, settings)
    err = result.stderr.decode()
    assert result.returncode == 1 and result.stdout == b""
    assert err.startswith("stdin:2: 输入不是 UTF-8") and err.count("\n") == 1 and "Traceback" not in err


def test_invalid_utf8_in_the_question_is_refused(settings: Settings) -> None:
    result = _pufa([b"ask", b"\xff\xfe\xe5\xae\x9e"], b"", settings)
    err = result.stderr.decode()
    assert result.returncode == 1 and "输入不是 UTF-8" in err and "Traceback" not in err
