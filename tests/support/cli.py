"""Running ``pufa`` through its real entry point (bot.cli.main.main) against given settings."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.cli.main import main
from bot.settings import Settings


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def run_pufa(argv: list[str], settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys) -> Outcome:  # type: ignore[no-untyped-def]
    """``pufa argv`` with the environment pointing at ``settings``' data dir, database and corpus."""
    monkeypatch.setenv("PUFA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("PUFA_CORPUS_DIR", str(settings.corpus_dir))
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)
