"""On-site sessions recorded from the CLI and spreadsheets: dates, checks, corrections, deletions, audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.records.calendar import REPORT_TZ
from bot.records.services import Records
from bot.records.units.register import UnitInput
from bot.reports.titles import catalog_titles
from bot.settings import Settings
from knowledge.law.catalog import load_manifest
from tests.support.cli import run_pufa
from tests.support.outreach import BACKENDS, T0, backend_settings, credit_code, make_turn

MICE = credit_code(1)
GENOMICS = credit_code(2)
YEAR = datetime.now(REPORT_TZ).year - 1  # a whole past year: every date in it may be recorded


@pytest.fixture(params=BACKENDS)
def settings(
    request: pytest.FixtureRequest, tmp_path: Path, index_dir: Path, corpus_dir: Path
) -> Iterator[Settings]:
    """A fresh log of the backend, with the session's index (to check the articles explained)."""
    with backend_settings(request.param, tmp_path) as value:
        yield value.with_changes(
            data_dir=index_dir, corpus_dir=corpus_dir, database_url=value.effective_database_url
        )


@pytest.fixture
def store(settings: Settings) -> Iterator[Records]:
    opened = Records.open(settings)
    register = opened.units
    register.add(UnitInput("康源实验动物技术有限公司", MICE, ("实验动物",), "SYXK(京)2024-0001"))
    register.add(UnitInput("华基因组科技有限公司", GENOMICS, ("人类遗传资源",)))
    yield opened
    opened.close()


def pufa(argv: list[str], settings: Settings, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    return run_pufa(argv, settings, monkeypatch, capsys)


def listed(settings: Settings, monkeypatch, capsys, year: int = YEAR) -> list[dict]:  # type: ignore[type-arg]
    done = pufa(["outreach", "list", "--year", str(year), "--json"], settings, monkeypatch, capsys)
    assert done.code == 0, done.err
    return json.loads(done.out)


def test_add_a_past_session_with_everything(
    store: Records, settings: Settings, monkeypatch, capsys
) -> None:
    done = pufa(
        [
            "outreach", "add", "--unit", "康源", "--date", f"{YEAR}-03-15", "--time", "14:30",
            "--attendees", "25", "--inspection", f"{YEAR}-011", "--topic", "实验动物许可管理",
            "--inspector", "王检查", "--inspector", "赵执法",
            "--article", "实验动物管理条例第十三条", "--article", "人遗条例第二十二条",
        ],
        settings, monkeypatch, capsys,
    )  # fmt: skip
    assert done.code == 0, done.err
    assert "已登记现场普法活动" in done.out and "《实验动物管理条例》第十三条" in done.out
    (session,) = listed(settings, monkeypatch, capsys)
    assert {k: session[k] for k in ("kind", "unit", "date", "time", "attendees")} == {
        "kind": "onsite",
        "unit": "康源实验动物技术有限公司",
        "date": f"{YEAR}-03-15",
        "time": "14:30",
        "attendees": 25,
    }
    # the domains of what was taught (an article of each), not the unit's
    assert session["domains"] == ["human_genetic_resources", "lab_animals"]
    assert session["domain_labels"] == ["人类遗传资源", "实验动物"]
    assert session["inspectors"] == ["王检查", "赵执法"] and session["topic"] == "实验动物许可管理"
    assert [a["label"] for a in session["articles"]] == [
        "《中华人民共和国人类遗传资源管理条例》第二十二条",
        "《实验动物管理条例》第十三条",
    ]
    titles = catalog_titles(load_manifest(settings.corpus_dir))
    figures = store.reports.stats(YEAR, titles=titles)
    assert (figures.onsite, figures.attendees, figures.units_reached["lab_animals"]) == (1, 25, 1)
    assert "覆盖1家实验动物许可单位中的1家" in figures.report_paragraph
    explained = {a.label for a in figures.top_articles}
    assert explained == {"《实验动物管理条例》第十三条", "《中华人民共和国人类遗传资源管理条例》第二十二条"}
    assert "《实验动物管理条例》第十三条" in figures.report_paragraph
    (row,) = store.reports.session_rows(YEAR, titles)
    assert "《实验动物管理条例》第十三条" in row[11] and row[14] == "实验动物许可管理"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--date", "2026-13-40"], "日期“2026-13-40”无效"),
        (["--date", "15/03/2025"], "日期“15/03/2025”无效"),
        (["--date", (datetime.now(REPORT_TZ).date() + timedelta(days=1)).isoformat()], "晚于今天"),
        (["--attendees", "-5"], "参加人数应为不小于 0 的整数"),
        (["--attendees", "二十"], "您填写的是“二十”"),
        (["--attendees", "1000000"], "参加人数 1000000 不合理"),
        (["--unit", "不存在的单位"], "执法对象库中没有单位“不存在的单位”"),
        (["--unit", "有限公司"], "匹配到多个单位"),
        (["--time", "25:00"], "时间“25:00”无效"),
        (["--domain", "林业"], "未知的领域“林业”"),
        (["--article", "实验动物管理条例第九百条"], "讲解条文“实验动物管理条例第九百条”无法识别"),
    ],
)
def test_bad_input_is_named_and_nothing_is_stored(
    store: Records, settings: Settings, monkeypatch, capsys, argv: list[str], message: str
) -> None:
    base = {"--unit": "康源", "--date": f"{YEAR}-03-15", "--attendees": "10"}
    base.update(dict(zip(argv[::2], argv[1::2], strict=True)))
    done = pufa(
        ["outreach", "add", *[x for pair in base.items() for x in pair]], settings, monkeypatch, capsys
    )
    assert done.code == 2 and message in done.err, done.err
    assert done.err.startswith("错误：") and "Traceback" not in done.err
    assert store.sessions.list(YEAR) == []


def test_edit_and_delete_leave_an_audit_trail(
    store: Records, settings: Settings, monkeypatch, capsys
) -> None:
    add = ["outreach", "add", "--unit", MICE, "--date", f"{YEAR}-05-06", "--attendees", "12"]
    assert pufa(add, settings, monkeypatch, capsys).code == 0
    (session,) = listed(settings, monkeypatch, capsys)
    sid = str(session["id"])
    edit = ["outreach", "edit", sid, "--attendees", "30", "--date", f"{YEAR}-05-07", "--by", "李科长"]
    assert pufa(edit, settings, monkeypatch, capsys).code == 0
    (edited,) = listed(settings, monkeypatch, capsys)
    assert (edited["attendees"], edited["date"]) == (30, f"{YEAR}-05-07")
    bad = pufa(["outreach", "edit", sid, "--attendees", "-1"], settings, monkeypatch, capsys)
    assert bad.code == 2 and "参加人数" in bad.err
    assert listed(settings, monkeypatch, capsys)[0]["attendees"] == 30
    assert pufa(["outreach", "delete", sid, "--reason", "重复登记"], settings, monkeypatch, capsys).code == 0
    assert listed(settings, monkeypatch, capsys) == []
    trail = store.sessions.audit(int(sid))
    assert [entry["action"] for entry in trail] == ["create", "edit", "delete"]
    assert trail[1]["actor"] == "cli:李科长"
    assert trail[1]["details"] == {"attendees": [12, 30], "date": [f"{YEAR}-05-06", f"{YEAR}-05-07"]}
    assert trail[2]["details"]["reason"] == "重复登记" and trail[2]["details"]["attendees"] == 30
    shown = pufa(["outreach", "audit", sid], settings, monkeypatch, capsys).out.splitlines()
    assert shown[1].startswith("更正：参加人数 12→30（李科长，") and shown[2].startswith(f"更正：日期 {YEAR}-05-06→")
    assert shown[3].startswith("删除：原因：重复登记（") and "{" not in "".join(shown)
    gone = pufa(["outreach", "delete", sid], settings, monkeypatch, capsys)
    assert gone.code == 2 and f"现场普法活动 {sid} 已删除（原因：重复登记）" in gone.err

    # the number of a deleted session is never given again, and its audit stays its own
    assert pufa(add, settings, monkeypatch, capsys).code == 0
    store.turns.record(make_turn("tg:77", T0.replace(year=YEAR)))  # an online session: a number too
    (again,) = listed(settings, monkeypatch, capsys)
    assert again["id"] > int(sid)
    assert [entry["action"] for entry in store.sessions.audit(int(sid))] == ["create", "edit", "delete"]
    assert [entry["action"] for entry in store.sessions.audit(again["id"])] == ["create"]


def test_a_duplicate_is_refused_with_the_stored_one_named(
    store: Records, settings: Settings, monkeypatch, capsys
) -> None:
    add = ["outreach", "add", "--unit", MICE, "--date", f"{YEAR}-05-06", "--time", "14:30", "--attendees", "12"]
    assert pufa([*add, "--inspection", "JC-1"], settings, monkeypatch, capsys).code == 0
    (first,) = listed(settings, monkeypatch, capsys)
    twice = pufa(add, settings, monkeypatch, capsys)
    assert twice.code == 2 and f"编号 {first['id']}：康源实验动物技术有限公司，{YEAR}-05-06 14:30" in twice.err
    assert "--allow-duplicate" in twice.err
    other = ["outreach", "add", "--unit", GENOMICS, "--date", f"{YEAR}-05-07", "--attendees", "3"]
    reused = pufa([*other, "--inspection", "JC-1"], settings, monkeypatch, capsys)
    assert reused.code == 2 and "执法检查编号 JC-1 已用于另一单位的活动" in reused.err
    assert len(listed(settings, monkeypatch, capsys)) == 1
    assert pufa([*add, "--allow-duplicate"], settings, monkeypatch, capsys).code == 0
    assert len(listed(settings, monkeypatch, capsys)) == 2


def test_a_session_with_questions_cannot_be_deleted(
    store: Records, settings: Settings, monkeypatch, capsys
) -> None:
    store.units.enrol("tg:1", "张三", UnitInput("康源实验动物技术有限公司", MICE, ("lab_animals",)))
    store.people.set_role("tg:9", "inspector", "王检查")
    started = store.sessions.start("tg:9", "康源", at=T0)
    store.turns.record(make_turn("tg:1", T0 + timedelta(minutes=5)))
    store.sessions.end("tg:9", 20, at=T0 + timedelta(hours=1))
    done = pufa(["outreach", "delete", str(started.id)], settings, monkeypatch, capsys)
    assert done.code == 2 and "已关联 1 条现场提问记录，不能删除" in done.err
    (kept,) = store.sessions.list(T0.year)
    assert kept.questions == 1


def write_sessions(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["日期", "时间", "单位", "参加人数", "领域", "执法检查编号", "主题", "执法检查人员", "讲解条文"]
    )
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_import_a_years_sessions(
    store: Records, settings: Settings, tmp_path: Path, monkeypatch, capsys
) -> None:
    good = [
        [
            date(YEAR, 1, 9),
            "10:00",
            "康源实验动物技术有限公司",
            18,
            "实验动物",
            "J-1",
            "许可",
            "王检查",
            "实验动物管理条例第十三条",
        ],
        [f"{YEAR}-02-10", "", GENOMICS, "22", "人类遗传资源、生物安全", "J-2", "采集", "王检查", ""],
    ]
    bad = [
        [f"{YEAR}-13-40", "", "康源", 5, "", "", "", "", ""],
        [f"{YEAR}-03-01", "", "不存在的单位", 5, "", "", "", "", ""],
        [f"{YEAR}-03-02", "", "康源", -3, "", "", "", "", ""],
        [f"{YEAR}-03-03", "", "康源", 3, "", "", "", "", "实验动物管理条例第九百条"],
    ]
    sheet = write_sessions(tmp_path / "sessions.xlsx", good + bad)
    done = pufa(["outreach", "import", str(sheet)], settings, monkeypatch, capsys)
    assert done.code == 1 and "未导入任何数据：4 行有错误" in done.out and "加 --partial" in done.out
    for line, message in ((4, "日期"), (5, "不存在的单位"), (6, "参加人数"), (7, "第九百条")):
        assert any(f"第{line}行" in row and message in row for row in done.out.splitlines()), (line, done.out)
    assert store.sessions.list(YEAR) == []
    partial = pufa(["outreach", "import", str(sheet), "--partial"], settings, monkeypatch, capsys)
    assert partial.code == 0 and "新增 2 条，已存在 0 条" in partial.out and "拒绝 4 行" in partial.out
    sessions = listed(settings, monkeypatch, capsys)
    assert [(s["unit"], s["date"], s["attendees"]) for s in sessions] == [
        ("康源实验动物技术有限公司", f"{YEAR}-01-09", 18),
        ("华基因组科技有限公司", f"{YEAR}-02-10", 22),
    ]
    assert sessions[1]["domains"] == ["biosafety", "human_genetic_resources"]
    assert sessions[0]["articles"][0]["label"] == "《实验动物管理条例》第十三条"
    assert store.reports.stats(YEAR).onsite == 2
    again = pufa(["outreach", "import", str(sheet), "--partial"], settings, monkeypatch, capsys)
    assert again.code == 0 and again.out.count("已登记过") == 2
    assert "新增 0 条，已存在 2 条，未重复计入" in again.out
    assert store.reports.stats(YEAR).onsite == 2
    good[1][3] = "25"  # a corrected figure updates the session it matches (unit, date, time)
    fixed = pufa(["outreach", "import", str(write_sessions(tmp_path / "fixed.xlsx", good))], settings, monkeypatch, capsys)
    assert "其中 1 条按表格更新" in fixed.out and "参加人数 22→25" in fixed.out
    assert [s["attendees"] for s in listed(settings, monkeypatch, capsys)] == [18, 25]
    batch = fixed.out.split("pufa outreach import --undo ")[1].split()[0]
    undone = pufa(["outreach", "import", "--undo", batch], settings, monkeypatch, capsys)
    assert undone.code == 0 and "恢复被更新的 1 条" in undone.out
    assert [s["attendees"] for s in listed(settings, monkeypatch, capsys)] == [18, 22]
    first = partial.out.split("pufa outreach import --undo ")[1].split()[0]
    assert "删除新增 2 条" in pufa(["outreach", "import", "--undo", first], settings, monkeypatch, capsys).out
    assert listed(settings, monkeypatch, capsys) == [] and store.reports.stats(YEAR).onsite == 0
    trail = store.sessions.audit(sessions[0]["id"])
    assert trail[-1]["action"] == "delete" and trail[-1]["details"]["reason"] == f"撤销导入批次 {first}"
    twice = write_sessions(tmp_path / "twice.xlsx", [good[0], good[0]])
    refused = pufa(["outreach", "import", str(twice)], settings, monkeypatch, capsys)
    assert refused.code == 1 and "第3行：与第2行是同一单位、同一时间的活动" in refused.out
