"""`pufa cite` with numbers that are not article numbers: decimals, negatives, other scripts' digits."""

from __future__ import annotations

import subprocess
import sys

import pytest

from knowledge.templates import text


@pytest.mark.parametrize(
    "reference",
    ["实验动物管理条例第1.5条", "实验动物管理条例第-1条", "实验动物管理条例第²条", "实验动物管理条例第٣条"],
)
def test_not_an_article_number_gets_the_usual_help(settings, reference: str) -> None:
    env = {"PUFA_DATA_DIR": str(settings.data_dir), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "cite", reference], capture_output=True, text=True, env=env
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert text("knowledge", "cite_no_article", title="实验动物管理条例") in result.stderr
    assert "Traceback" not in result.stderr
