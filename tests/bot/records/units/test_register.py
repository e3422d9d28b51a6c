"""The register of regulated units: spreadsheet import (all or nothing), add, update, list, requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from openpyxl import Workbook
from sqlalchemy import select, text

from bot.records.db import Database, make_engine
from bot.records.models import PersonRow, UnitRow
from bot.records.schema import alembic_config, upgrade
from bot.records.services import Records
from bot.settings import Settings
from tests.support.cli import run_pufa
from tests.support.outreach import BACKENDS, backend_settings, credit_code

HEADER = ["单位名称", "统一社会信用代码", "领域", "许可证号", "地址", "联系人"]
GOOD = [
    ["康源实验动物技术有限公司", credit_code(1), "实验动物", "SYXK(京)2024-0001", "北京市海淀区", "张三"],
    ["华基因组科技有限公司", credit_code(2), "人类遗传资源、实验动物", "", "北京市昌平区", "李四"],
    ["北方医学研究院", credit_code(3, "12"), "人类遗传资源", "", "", ""],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    path.write_text("\n".join(",".join(row) for row in [HEADER, *rows]) + "\n", encoding=encoding)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path, corpus_dir: Path) -> Iterator[Settings]:
    with backend_settings(request.param, tmp_path, corpus_dir=corpus_dir) as value:
        yield value


def test_import_csv_then_list_json(settings: Settings, tmp_path: Path, monkeypatch, capsys) -> None:
    sheet = write_csv(tmp_path / "units.csv", GOOD)
    done = run_pufa(["units", "import", str(sheet)], settings, monkeypatch, capsys)
    assert done.code == 0, done.err
    assert "新增 3 条，已存在 0 条" in done.out and "第2行：新增 康源实验动物技术有限公司" in done.out
    same = run_pufa(["units", "import", str(sheet)], settings, monkeypatch, capsys)
    assert "新增 0 条，已存在 3 条，未重复计入" in same.out and "无变化" in same.out
    listed = run_pufa(["units", "list", "--json"], settings, monkeypatch, capsys)
    units = json.loads(listed.out)
    assert [u["name"] for u in units] == [
        "北方医学研究院",
        "华基因组科技有限公司",
        "康源实验动物技术有限公司",
    ]
    by_code = {u["credit_code"]: u for u in units}
    assert by_code[credit_code(2)]["domains"] == ["human_genetic_resources", "lab_animals"]
    assert by_code[credit_code(1)]["licence_no"] == "SYXK(京)2024-0001"
    assert by_code[credit_code(1)]["address"] == "北京市海淀区"

    # a second import updates by credit code instead of duplicating
    changed = [[*GOOD[0][:4], "北京市海淀区新地址", "王五"]]
    assert (
        run_pufa(
            ["units", "import", str(write_csv(tmp_path / "again.csv", changed))],
            settings,
            monkeypatch,
            capsys,
        ).code
        == 0
    )
    again = json.loads(run_pufa(["units", "list", "--json"], settings, monkeypatch, capsys).out)
    assert len(again) == 3
    assert {u["credit_code"]: u["contact"] for u in again}[credit_code(1)] == "王五"
    only_hgr = run_pufa(
        ["units", "list", "--domain", "人类遗传资源", "--json"], settings, monkeypatch, capsys
    )
    assert len(json.loads(only_hgr.out)) == 2


def test_retire_and_undo_an_import(
    settings: Settings, store: Records, tmp_path: Path, monkeypatch, capsys
) -> None:
    done = run_pufa(["units", "import", str(write_csv(tmp_path / "u.csv", GOOD))], settings, monkeypatch, capsys)
    batch = done.out.split("pufa units import --undo ")[1].split()[0]
    assert store.reports.stats(2025).units_registered["all"] == 3
    retired = run_pufa(
        ["units", "retire", "北方医学", "--date", "2025-01-01", "--reason", "测试数据"], settings, monkeypatch, capsys
    )
    assert retired.code == 0 and "已停用（2025-01-01，测试数据）" in retired.out
    assert store.reports.stats(2025).units_registered["all"] == 2  # out of the denominator from that day
    assert store.reports.stats(2024).units_registered["all"] == 3  # history kept
    shown = run_pufa(["units", "list"], settings, monkeypatch, capsys).out
    assert "执法对象库共 2 家单位" in shown and "已停用的单位 1 家" in shown
    undone = run_pufa(["units", "import", "--undo", batch], settings, monkeypatch, capsys)
    assert undone.code == 0 and "删除新增 3 条" in undone.out
    assert store.reports.stats(2030).units_registered["all"] == 0
    again = run_pufa(["units", "import", "--undo", batch], settings, monkeypatch, capsys)
    assert again.code == 2 and f"导入批次 {batch} 已于" in again.err


def test_bad_rows_are_named_by_line_and_nothing_is_stored(
    settings: Settings, store: Records, tmp_path: Path, monkeypatch, capsys
) -> None:
    rows = [
        GOOD[0],
        ["无代码单位", "", "实验动物", "", "", ""],
        [
            "错码单位",
            credit_code(4)[:-1] + ("0" if credit_code(4)[-1] != "0" else "1"),
            "实验动物",
            "",
            "",
            "",
        ],
        ["领域不对", credit_code(5), "林业", "", "", ""],
        ["重复", credit_code(1), "实验动物", "", "", ""],
        GOOD[1],
    ]
    sheet = write_xlsx(tmp_path / "units.xlsx", rows)
    done = run_pufa(["units", "import", str(sheet)], settings, monkeypatch, capsys)
    assert done.code == 1
    assert "未导入任何数据：4 行有错误" in done.out
    assert "第3行：请填写统一社会信用代码" in done.out
    assert "第4行：统一社会信用代码校验位不正确" in done.out
    assert "第5行：未知的领域“林业”" in done.out
    assert f"第6行：统一社会信用代码 {credit_code(1)} 与第2行重复" in done.out
    assert store.units.list() == []

    partial = run_pufa(["units", "import", str(sheet), "--partial"], settings, monkeypatch, capsys)
    assert partial.code == 0 and "新增 2 条，已存在 0 条" in partial.out and "拒绝 4 行" in partial.out
    assert [u.name for u in store.units.list()] == [
        "华基因组科技有限公司",
        "康源实验动物技术有限公司",
    ]


def test_unreadable_sheets_get_one_clear_line(
    settings: Settings, tmp_path: Path, monkeypatch, capsys
) -> None:
    broken = tmp_path / "units.xlsx"
    broken.write_bytes(b"not a zip file")
    done = run_pufa(["units", "import", str(broken)], settings, monkeypatch, capsys)
    assert done.code == 2 and "units.xlsx：不是有效的 .xlsx 文件" in done.err and "Traceback" not in done.err
    no_column = tmp_path / "units.csv"
    no_column.write_text("单位名称,领域\n某单位,实验动物\n", encoding="utf-8")
    done = run_pufa(["units", "import", str(no_column)], settings, monkeypatch, capsys)
    assert "units.csv 第1行（表头）缺少必填列：统一社会信用代码" in done.err
    gbk = write_csv(tmp_path / "gbk.csv", GOOD[:1], encoding="gb18030")
    assert run_pufa(["units", "import", str(gbk)], settings, monkeypatch, capsys).code == 0
    missing = run_pufa(["units", "import", str(tmp_path / "nope.csv")], settings, monkeypatch, capsys)
    assert missing.code == 2 and "无法读取文件" in missing.err


def test_add_update_and_refusals(settings: Settings, monkeypatch, capsys) -> None:
    add = [
        "units",
        "add",
        "--name",
        "康源实验动物技术有限公司",
        "--code",
        credit_code(1),
        "--domain",
        "实验动物",
    ]
    done = run_pufa(add, settings, monkeypatch, capsys)
    assert done.code == 0 and "已添加单位" in done.out and "实验动物" in done.out
    again = run_pufa(add, settings, monkeypatch, capsys)
    assert again.code == 2 and "已登记为“康源实验动物技术有限公司”" in again.err
    updated = run_pufa(
        [
            "units",
            "update",
            "康源",
            "--address",
            "北京市海淀区1号",
            "--domain",
            "lab_animals",
            "--domain",
            "人类遗传资源",
        ],
        settings,
        monkeypatch,
        capsys,
    )
    assert updated.code == 0 and "北京市海淀区1号" in updated.out and "人类遗传资源" in updated.out
    bad = run_pufa(["units", "update", "没有这家", "--address", "x"], settings, monkeypatch, capsys)
    assert bad.code == 2 and "执法对象库中没有单位“没有这家”" in bad.err
    wrong_domain = run_pufa(
        ["units", "update", "康源", "--domain", "wildlife"], settings, monkeypatch, capsys
    )
    assert wrong_domain.code == 2 and "未知的领域“wildlife”" in wrong_domain.err


def test_self_registration_links_or_waits_for_an_admin(store: Records) -> None:
    register = store.units
    register.import_sheet("u.csv", ("\n".join(",".join(r) for r in [HEADER, GOOD[0]])).encode())
    linked = register.request("tg:1", "张三", "康源", credit_code(1))
    assert linked.name == "康源实验动物技术有限公司"
    queued = register.request("tg:2", "李四", "新来的公司", credit_code(8))
    assert [r.name for r in register.pending()] == ["新来的公司"] and queued.id == register.pending()[0].id
    unit = register.resolve(queued.id, ("实验动物",))
    assert unit is not None and unit.domains == ("lab_animals",)
    assert register.pending() == []
    with store.database.reading() as db:
        person = db.scalar(select(PersonRow).where(PersonRow.person_key == "tg:2"))
        assert person is not None and person.unit_id == unit.id


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0002_keeps_existing_data(backend: str, tmp_path: Path) -> None:
    with backend_settings(backend, tmp_path, migrate=False) as settings:
        engine = make_engine(settings.effective_database_url)
        upgrade(engine, "0001")
        at = datetime(2025, 5, 1, 2, 0)  # naive UTC, as stored
        with engine.begin() as connection:  # rows as revision 0001 knows them
            connection.execute(
                text(
                    "INSERT INTO units (id, name, credit_code, licence_no, created_at) "
                    "VALUES (1, '老单位', :code, 'L-1', :at)"
                ),
                {"code": credit_code(1), "at": at},
            )
            connection.execute(text("INSERT INTO unit_domains (unit_id, domain) VALUES (1, 'lab_animals')"))
            connection.execute(
                text(
                    "INSERT INTO outreach_sessions (id, kind, channel, unit_id, started_at, last_activity_at, "
                    "ended_at, inspection_no, attendees, note) "
                    "VALUES (1, 'onsite', 'onsite', 1, :at, :at, :at, '2025-1', 12, '旧记录')"
                ),
                {"at": at},
            )
        assert upgrade(engine, "0002") == "0002"
        upgrade(engine)  # and on to head: the data stays through every later revision
        store = Records.over(Database(engine, settings))
        (unit,) = store.units.list()
        assert (unit.name, unit.licence_no, unit.address, unit.domains) == (
            "老单位",
            "L-1",
            "",
            ("lab_animals",),
        )
        figures = store.reports.stats(2025)
        assert (figures.onsite, figures.attendees) == (1, 12)
        (session,) = store.sessions.list(2025)
        assert (session.topic, session.note, session.inspection_no) == ("", "旧记录", "2025-1")
        command.downgrade(alembic_config(engine), "0001")
        with engine.connect() as connection:
            assert connection.execute(select(UnitRow.__table__.c.name)).scalar_one() == "老单位"
        engine.dispose()
