"""Chart, export and the operator commands (pufa stats / export / db)."""

from __future__ import annotations

import csv
import json
import re
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from matplotlib.font_manager import findfont
from matplotlib.text import Text
from openpyxl import load_workbook

from bot.cli.main import build_parser, run
from bot.records.messages import items
from bot.records.schema import head_revision
from bot.records.services import Records
from bot.records.units.register import UnitInput
from bot.reports import export
from bot.reports.chart import build_chart, cjk_font, write_chart
from bot.reports.titles import catalog_titles
from bot.settings import Settings
from knowledge.law.catalog import load_manifest
from tests.support.cli import run_pufa
from tests.support.outreach import BACKENDS, T0, backend_settings, credit_code, make_turn

HAN = re.compile(r"[\u4e00-\u9fff]")


def export_year(store: Records, year: int, fmt: str, out: Path, titles: dict[str, str]) -> Path:
    return export.write(store.reports.session_rows(year, titles), fmt, out, year)


@pytest.fixture(name="titles")
def fixture_titles(corpus_dir: Path) -> dict[str, str]:
    return catalog_titles(load_manifest(corpus_dir))


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with backend_settings(request.param, tmp_path) as value:
        yield value


@pytest.fixture
def store(settings: Settings) -> Iterator[Records]:
    opened = Records.open(settings)
    opened.units.enrol(
        "tg:1", "张三", UnitInput("康源实验动物技术有限公司", credit_code(1), ("lab_animals",))
    )
    opened.units.enrol(
        "tg:2", "李四", UnitInput("华基因组科技有限公司", credit_code(2), ("human_genetic_resources",))
    )
    opened.people.set_role("tg:9", "inspector", "王检查")
    opened.sessions.start("tg:9", "康源", "2024-001", at=T0)
    opened.turns.record(
        make_turn(
            "tg:1", T0 + timedelta(minutes=3), citations=(("lab-animal-regulation", 13), ("no-such-doc", 2))
        )
    )
    opened.turns.record(
        make_turn(
            "tg:1", T0 + timedelta(minutes=9), citations=(("lab-animal-regulation", 13),), declined=True
        )
    )
    opened.sessions.end("tg:9", 18, "许可宣讲", at=T0 + timedelta(hours=1))
    opened.turns.record(make_turn("tg:2", T0 + timedelta(days=60), domains=("human_genetic_resources",)))
    yield opened
    opened.close()


def test_chart_labels_use_the_cjk_font_without_missing_glyphs(store: Records, tmp_path: Path) -> None:
    stats = store.reports.stats(2024)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would fail the test
        figure = build_chart(stats)
        figure.canvas.draw()  # lay out ticks as they are rendered
        path = write_chart(stats, tmp_path / "chart.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    cjk_file = findfont(cjk_font(), fallback_to_default=False)
    texts = [t for t in figure.findobj(Text) if t.get_visible()]
    chinese = [t for t in texts if HAN.search(t.get_text())]
    assert {t.get_text() for t in chinese} >= {"1月", "12月", "实验动物", "人类遗传资源", "场次", "月份"}
    for label in chinese:
        assert findfont(label.get_fontproperties(), fallback_to_default=False) == cjk_file, label.get_text()
    assert Path(cjk_file).exists()


def test_csv_export_has_bom_and_one_row_per_session(
    store: Records, tmp_path: Path, titles: dict[str, str]
) -> None:
    out = export_year(store, 2024, "csv", tmp_path / "out" / "2024.csv", titles)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == items("export.headers")
    assert len(rows) == 3
    onsite = rows[1]
    assert onsite[1:4] == ["现场", "康源实验动物技术有限公司", credit_code(1)]
    assert (onsite[4], onsite[5]) == ("2024-03-04 10:00", "2024-03-04 11:00")
    assert onsite[6:11] == ["王检查", "2024-001", "18", "2", "1"]
    assert onsite[11] == "《实验动物管理条例》第十三条；未知文件（no-such-doc）第二条"
    assert rows[2][1] == "线上" and rows[2][6] == ""
    assert (
        export_year(store, 2023, "csv", tmp_path / "empty.csv", titles)
        .read_text(encoding="utf-8-sig")
        .count("\n")
        == 1
    )


def test_xlsx_export(store: Records, tmp_path: Path, titles: dict[str, str]) -> None:
    out = export_year(store, 2024, "xlsx", tmp_path / "2024.xlsx", titles)
    sheet = load_workbook(out).active
    values = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "2024年普法宣传"
    assert list(values[0]) == items("export.headers")
    assert values[1][1] == "现场" and values[1][8] == 18
    assert len(values) == 3


def _run(argv: list[str], settings: Settings) -> int:
    """``pufa ARGV`` with ``settings``, through the CLI's one error path."""
    return run(build_parser(argv[0]).parse_args(argv), settings)


def test_cli_stats_json_text_and_chart(store: Records, settings: Settings, tmp_path: Path, capsys) -> None:
    assert _run(["stats", "--year", "2024", "--json", "--chart", str(tmp_path / "c.png")], settings) == 0
    out = capsys.readouterr()
    figures = json.loads(out.out)
    assert figures["sessions"] == {"total": 2, "online": 1, "onsite": 1}
    assert figures["report_paragraph"].startswith("2024年全年开展普法宣传2次（其中现场1次、线上1次）")
    assert "图表已保存" in out.err and (tmp_path / "c.png").exists()
    assert _run(["stats", "--year", "2024", "--quarter", "1", "--domain", "lab_animals"], settings) == 0
    text = capsys.readouterr().out
    assert text.startswith("2024年第一季度（实验动物领域）普法宣传统计")
    assert "年报段落" in text


def test_every_domain_option_takes_chinese_and_refuses_the_unknown_by_name(
    store: Records, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    chinese = run_pufa(
        ["stats", "--year", "2024", "--domain", "实验动物", "--json"], settings, monkeypatch, capsys
    )
    assert chinese.code == 0 and json.loads(chinese.out)["domain"] == "lab_animals"
    other_name = run_pufa(
        ["stats", "--year", "2024", "--domain", "人遗", "--json"], settings, monkeypatch, capsys
    )
    assert json.loads(other_name.out)["sessions"]["total"] == 1
    for argv in (
        ["stats", "--year", "2024", "--domain", "林业"],
        ["search", "--domain", "林业", "实验动物"],
        ["units", "list", "--domain", "林业"],
        ["outreach", "list", "--year", "2024", "--domain", "林业"],
    ):
        refused = run_pufa(argv, settings, monkeypatch, capsys)
        assert refused.code == 2 and "未知的领域“林业”，可选：实验动物、人类遗传资源" in refused.err, argv
        assert not re.search(r"[a-z]{3,}_", refused.err), refused.err  # no code such as lab_animals
    listed = run_pufa(["units", "list", "--domain", "人类遗传资源", "--json"], settings, monkeypatch, capsys)
    assert [u["name"] for u in json.loads(listed.out)] == ["华基因组科技有限公司"]
    sessions = run_pufa(
        ["outreach", "list", "--year", "2024", "--domain", "实验动物", "--json"],
        settings,
        monkeypatch,
        capsys,
    )
    assert [s["unit"] for s in json.loads(sessions.out)] == ["康源实验动物技术有限公司"]


def test_cli_export(store: Records, settings: Settings, tmp_path: Path, capsys) -> None:
    out = tmp_path / "e.xlsx"
    assert _run(["export", "--year", "2024", "--format", "xlsx", "--out", str(out)], settings) == 0
    assert out.exists() and str(out) in capsys.readouterr().out


@pytest.mark.parametrize("backend", BACKENDS)
def test_cli_db_upgrade_then_stats(backend: str, tmp_path: Path, capsys) -> None:
    with backend_settings(backend, tmp_path, migrate=False) as settings:
        assert _run(["stats", "--year", "2024"], settings) == 2
        assert "请先运行：pufa db upgrade" in capsys.readouterr().err
        assert _run(["db", "current"], settings) == 1
        assert _run(["db", "upgrade"], settings) == 0
        assert f"数据库已升级到最新版本（{head_revision()}）" in capsys.readouterr().out
        assert _run(["db", "upgrade"], settings) == 0  # idempotent
        assert _run(["db", "current"], settings) == 0
        assert _run(["stats", "--year", "2024", "--json"], settings) == 0
