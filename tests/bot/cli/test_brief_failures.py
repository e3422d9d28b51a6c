"""`pufa brief` refuses clearly and writes nothing: an output it cannot write, an unknown session
(the probe: a traceback, and files written before failing on a missing message key)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.records.db import make_engine
from bot.records.schema import upgrade
from bot.records.services import Records
from bot.records.units.register import UnitInput
from bot.settings import Settings
from tests.support.cli import run_pufa
from tests.support.outreach import credit_code

UNIT = "某某实验动物中心"


@pytest.fixture(name="brief_settings")
def fixture_brief_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The session index, and a fresh SQLite database holding one unit."""
    fresh = settings.with_changes(database_url=f"sqlite:///{tmp_path / 'records.sqlite3'}")
    engine = make_engine(fresh.effective_database_url)
    upgrade(engine)
    engine.dispose()
    records = Records.open(fresh)
    records.units.add(UnitInput(UNIT, credit_code(101), ("lab_animals",)))
    records.close()
    return fresh


def test_an_unknown_session_is_refused_before_any_file_is_written(
    brief_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, handout = tmp_path / "brief.docx", tmp_path / "handout.md"
    argv = ["brief", UNIT, "--out", str(out), "--handout", str(handout), "--session", "999999"]
    outcome = run_pufa(argv, brief_settings, monkeypatch, capsys)
    assert outcome.code != 0 and "Traceback" not in outcome.err
    assert outcome.err.count("\n") == 1 and "没有编号为 999999 的现场普法活动" in outcome.err
    assert sorted(tmp_path.iterdir()) == [tmp_path / "records.sqlite3"], "no file written"


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_an_output_that_cannot_be_written_is_refused_in_one_line(
    brief_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    where: str,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    out = blocker / "brief.docx" if where == "under-a-file" else Path("/proc/pufa-brief.docx")
    outcome = run_pufa(["brief", UNIT, "--out", str(out)], brief_settings, monkeypatch, capsys)
    assert outcome.code != 0 and "Traceback" not in outcome.err
    assert outcome.err.count("\n") == 1 and f"无法写入 {out}" in outcome.err
    assert not out.exists() and not Path(str(out) + ".part").exists()
