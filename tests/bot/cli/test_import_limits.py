"""`pufa units import` is bounded like an upload: a file over PUFA_UPLOAD_MAX_BYTES is refused before it
is read whole, an xlsx by what it unpacks to, and too many rows in one line — never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.records.db import make_engine
from bot.records.schema import upgrade
from bot.settings import Settings
from tests.support.cli import run_pufa
from tests.support.outreach import credit_code
from tests.support.spreadsheets import bomb_xlsx


@pytest.fixture(name="import_settings")
def fixture_import_settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'records.sqlite3'}")
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    engine.dispose()
    return settings


@pytest.mark.parametrize(
    ("name", "limit_env", "expected"),
    [
        ("big.csv", {"PUFA_UPLOAD_MAX_BYTES": "2048"}, "文件太大"),
        ("bomb.xlsx", {}, "解压后超过"),
        ("rows.csv", {"PUFA_UPLOAD_MAX_ROWS": "100"}, "数据超过 100 行"),
    ],
)
def test_oversized_imports_are_refused_in_one_line(
    import_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    limit_env: dict[str, str],
    expected: str,
) -> None:
    path = tmp_path / name
    if name.endswith(".xlsx"):
        path.write_bytes(bomb_xlsx(150))
    else:
        rows = "".join(f"单位{n},{credit_code(n)},实验动物\n" for n in range(1, 200))
        path.write_text("单位名称,统一社会信用代码,领域\n" + rows, encoding="utf-8")
    for variable, value in limit_env.items():
        monkeypatch.setenv(variable, value)
    outcome = run_pufa(["units", "import", str(path)], import_settings, monkeypatch, capsys)
    assert outcome.code != 0 and "Traceback" not in outcome.err
    assert outcome.err.count("\n") == 1 and expected in outcome.err and name in outcome.err
