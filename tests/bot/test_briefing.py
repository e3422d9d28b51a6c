"""Pre-inspection briefings: content from the register, the log and the corpus; Word and Markdown files;
the handout on one A4 page (LibreOffice headless); the materials recorded with the on-site session."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest

from bot.briefing.content import build_briefing
from bot.briefing.errors import BriefingError
from bot.cli.cases import add_parsers
from bot.records.errors import RecordsError
from bot.records.messages import text as outreach_text
from bot.records.services import Records
from bot.records.units.register import UnitInput
from bot.settings import Settings
from knowledge.assistant import Assistant
from knowledge.law.obligations import domain_obligations
from tests.support.outreach import BACKENDS, backend_settings, credit_code, make_turn
from tests.support.pdf import as_pdf

LAB_UNIT, HGR_UNIT = "某某实验动物中心", "某某基因检测有限公司"
LAB_CODE, HGR_CODE = credit_code(101), credit_code(102)
DAY = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)
HEADINGS = [
    "一、单位概况",
    "二、既往现场普法与执法检查",
    "三、本年度咨询情况",
    "四、检查要点清单",
    "五、典型案例",
]
BOTH_UNIT, BOTH_CODE = "某某大学附属医院", credit_code(103)
FRAGMENT = re.compile(r"^(?:[（(][一二三四五六七八九十]+[)）]|但是?|上述|前款)")


@pytest.fixture(params=BACKENDS)
def brief_settings(request: pytest.FixtureRequest, tmp_path: Path, index_dir: Path) -> Iterator[Settings]:
    """A fresh outreach database of each backend, next to the session's index."""
    with backend_settings(request.param, tmp_path) as fresh:
        yield fresh.with_changes(database_url=fresh.effective_database_url, data_dir=index_dir)


@pytest.fixture
def store(brief_settings: Settings) -> Iterator[Records]:
    """Two units; the lab unit's people asked three questions in 2026 (one declined) and one in 2025."""
    store = Records.open(brief_settings)
    register = store.units
    register.add(
        UnitInput(LAB_UNIT, LAB_CODE, ("lab_animals",), "SYXK（某）2024-0001", address="某市某区某路1号")
    )
    register.add(UnitInput(HGR_UNIT, HGR_CODE, ("human_genetic_resources",)))
    register.add(UnitInput(BOTH_UNIT, BOTH_CODE, ("lab_animals", "human_genetic_resources")))
    store.units.enrol("tg:1", "李四", UnitInput(LAB_UNIT, LAB_CODE, ()))
    store.units.enrol("tg:2", "王五", UnitInput(HGR_UNIT, HGR_CODE, ()))
    turns = [
        make_turn(
            "tg:1", DAY, question="引进的实验动物要隔离检疫吗", citations=(("lab-animal-regulation", 16),)
        ),
        make_turn(
            "tg:1",
            DAY.replace(month=6),
            question="饲料有什么要求",
            citations=(("lab-animal-regulation", 13),),
        ),
        make_turn("tg:1", DAY.replace(month=7), question="红烧肉怎么做", citations=(), declined=True),
        make_turn(
            "tg:1", DAY.replace(year=2025), question="去年的问题", citations=(("lab-animal-regulation", 9),)
        ),
        make_turn(
            "tg:2",
            DAY,
            question="血样寄到国外要批准吗",
            citations=(("hgr-regulation-2019", 27),),
            domains=("human_genetic_resources",),
        ),
    ]
    for turn in turns:
        store.turns.record(turn)
    yield store
    store.close()


def test_lab_unit_briefing_has_its_questions_checklist_and_no_hgr_case(
    store: Records, assistant: Assistant
) -> None:
    library = assistant.library
    briefing = build_briefing(store, library, LAB_CODE, date(2026, 12, 1))
    assert briefing.unit.name == LAB_UNIT and briefing.start == date(2026, 1, 1)
    assert [q.question for q in briefing.questions] == ["引进的实验动物要隔离检疫吗", "饲料有什么要求"]
    assert [c for c, _ in briefing.articles] == [
        "《实验动物管理条例》第十六条",
        "《实验动物管理条例》第十三条",
    ]
    expected = domain_obligations(library, "lab_animals")
    assert 10 <= len(briefing.checklist) <= 15
    assert {item.obligation for item in briefing.checklist} <= set(expected)
    articles = [item.obligation.obligation for item in briefing.checklist]
    assert len(set(articles)) == len(articles)  # one row per article, no duplicates
    for item in briefing.checklist:
        assert item.obligation.obligation in library.articles and item.obligation.penalty in library.articles
        assert not FRAGMENT.match(item.obligation.duty), item.obligation.duty  # whole obligations
        text = library.articles[item.obligation.obligation].text
        assert all(part in text for part in re.findall(r"[^。；：]+[。；：]?", item.obligation.duty))
        assert len(item.penalty) + len(item.sanction) <= 30  # a short reference, not the whole penalty text
    assert briefing.checklist[0].penalty == "第二十九条" and "警告" in briefing.checklist[0].sanction
    asked = {item.obligation.obligation.article for item in briefing.checklist if item.asked}
    assert asked == {13, 16} and {a.article for a in articles[:2]} == {13, 16}  # asked-about first
    assert briefing.cases == []  # no published case is about laboratory animals
    assert {13, 16} <= {item.obligation.obligation.article for item in briefing.handout}
    assert briefing.versions == ["《实验动物管理条例》：2017-03-01版本，现行有效。"]


def test_hgr_unit_briefing_puts_the_case_on_its_question_first(
    store: Records, assistant: Assistant
) -> None:
    briefing = build_briefing(store, assistant.library, "基因检测", date(2026, 12, 1))
    assert briefing.cases[0].id == "wuxi-serum-export-2016" and len(briefing.cases) == 2
    assert all("human_genetic_resources" in c.domains for c in briefing.cases)
    assert all(item.obligation.obligation.doc_id != "lab-animal-regulation" for item in briefing.checklist)
    # the 2019 text is quoted as what it is: a version amended in 2024, the department moved since
    (hgr,) = [line for line in briefing.versions if "人类遗传资源管理条例" in line]
    assert "已被修改" in hgr and "卫生健康主管部门" in hgr and "版本，现行有效" not in hgr
    assert any("卫生健康主管部门" in note for note in briefing.notes)


def test_dual_domain_unit_gets_both_domains_everywhere(store: Records, assistant: Assistant) -> None:
    briefing = build_briefing(store, assistant.library, BOTH_CODE, date(2026, 12, 1))
    for items in (briefing.checklist, briefing.handout):
        assert {item.domain for item in items} == {"lab_animals", "human_genetic_resources"}
    assert len(briefing.checklist) <= 15


def test_unknown_unit_is_refused(store: Records, assistant: Assistant) -> None:
    with pytest.raises(
        RecordsError, match=re.escape(outreach_text("errors.unit_unknown", query="不存在的单位"))
    ):
        build_briefing(store, assistant.library, "不存在的单位", date(2026, 12, 1))


def _run(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="pufa")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args, settings)


def test_cli_writes_word_briefing_and_one_page_handout_and_records_them(
    store: Records, brief_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store.people.set_role("tg:9", "inspector", "赵六")
    session = store.sessions.start("tg:9", HGR_UNIT, "JC-2026-7", at=DAY)
    out, handout = tmp_path / "简报.docx", tmp_path / "告知书.docx"
    argv = ["brief", HGR_UNIT, "--date", "2026-05-06", "--out", str(out), "--handout", str(handout)]
    settings = brief_settings.with_changes(bot_username="pufa_test_bot")
    assert _run([*argv, "--session", str(session.id)], settings) == 0
    assert f"已登记到现场普法记录 {session.id}" in capsys.readouterr().out

    document = docx.Document(str(out))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings == HEADINGS
    assert document.paragraphs[0].style.name == "Title"
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "血样寄到国外要批准吗" in cells and "JC-2026-7" in cells  # the session at the unit is listed
    assert "苏州药明康德新药开发股份有限公司案（2016年）" in text and "暂行办法" in text
    assert "wuxi-serum-export-2016" not in text + cells  # titles, not ids
    assert "来自现行有效法规" not in text and "已被修改" in text
    (checklist,) = [t for t in document.tables if t.rows[0].cells[0].text == "序号"]
    assert [c.text for c in checklist.rows[0].cells] == [
        "序号",
        "检查事项（条文原文）",
        "依据",
        "罚则",
        "核查",
    ]
    assert 2 <= len(checklist.rows) - 1 <= 15
    assert len(checklist._tbl.xpath(".//w:tc/w:tcPr/w:noWrap")) >= 2 * len(checklist.rows)  # 序号, 核查
    assert any("《人类遗传资源管理条例》第二十七条" in r.cells[2].text for r in checklist.rows[1:])
    rfonts = document.styles["Normal"].element.rPr.rFonts
    assert rfonts.get(docx.oxml.ns.qn("w:eastAsia")) == "宋体"

    sheet = docx.Document(str(handout))
    words = "\n".join(p.text for p in sheet.paragraphs)
    assert "签收" in words and "＿＿＿＿年＿＿月＿＿日" in words
    assert "@pufa_test_bot" in words and len(sheet.inline_shapes) == 1  # the QR code
    assert "卫生健康主管部门" in words  # who is in charge since the 2024 amendment
    assert as_pdf(handout, tmp_path)[0] == 1
    assert as_pdf(out, tmp_path)[0] <= 2

    (used,) = store.materials.of_year(2026)
    assert used.session_id == session.id and set(used.kinds) == {"briefing", "handout"}
    assert used.case_ids[0] == "wuxi-serum-export-2016"
    capsys.readouterr()
    assert _run(["materials", "--year", "2026", "--json"], brief_settings) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["onsite_sessions"] == 1 and report["sessions_with_briefing"] == 1
    assert report["sessions_with_cases"] == 1 and report["sessions"][0]["session_id"] == session.id
    assert report["report_sentence"].startswith("2026年开展现场普法1场，其中1场在检查前使用了单位普法简报")
    assert report["sessions"][0]["case_titles"][0] == "苏州药明康德新药开发股份有限公司案（2016年）"
    assert _run(["materials", "--year", "2026"], brief_settings) == 0
    printed = capsys.readouterr().out
    assert (
        "苏州药明康德新药开发股份有限公司案（2016年）" in printed and "wuxi-serum-export-2016" not in printed
    )


@pytest.mark.parametrize("unit", [LAB_UNIT, BOTH_UNIT], ids=["single-domain", "dual-domain"])
def test_brief_two_pages_and_handout_one_page_as_pdf(
    store: Records, brief_settings: Settings, tmp_path: Path, unit: str
) -> None:
    """Single- and dual-domain units, with questions and an earlier session: brief ≤ 2 pages, handout 1."""
    store.people.set_role("tg:9", "inspector", "赵六")
    store.sessions.start("tg:9", unit, "JC-2025-3", at=DAY.replace(year=2025))
    out, handout = tmp_path / "brief.docx", tmp_path / "handout.docx"
    settings = brief_settings.with_changes(bot_username="pufa_test_bot")
    argv = ["brief", unit, "--date", "2026-12-01", "--out", str(out), "--handout", str(handout)]
    assert _run(argv, settings) == 0
    assert as_pdf(out, tmp_path)[0] <= 2
    assert as_pdf(handout, tmp_path)[0] == 1
    words = "\n".join(p.text for p in docx.Document(str(handout)).paragraphs)
    headings = [p.text for p in docx.Document(str(handout)).paragraphs if p.style.name == "Heading 2"]
    wanted = {LAB_UNIT: ["实验动物"], BOTH_UNIT: ["实验动物", "人类遗传资源"]}[unit]
    assert sorted(headings) == sorted(wanted) and "@pufa_test_bot" in words and "签收回执" in words
    if unit == BOTH_UNIT:  # the 2019 text is quoted; who is in charge since 2024 is said
        assert "卫生健康主管部门" in words


def test_cli_markdown_and_bad_input(store: Records, brief_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "brief.md"
    assert _run(["brief", LAB_UNIT, "--date", "2026-12-01", "--out", str(out)], brief_settings) == 0
    markdown = out.read_text(encoding="utf-8")
    assert "| 地址 | 某市某区某路1号 |" in markdown and "| 许可证号 | SYXK（某）2024-0001 |" in markdown
    for heading in HEADINGS:
        assert f"## {heading}" in markdown
    assert "| 序号 | 检查事项（条文原文） |" in markdown and "《实验动物管理条例》第十六条" in markdown
    plain = tmp_path / "lab-handout.md"
    assert _run(["brief", LAB_UNIT, "--out", str(out), "--handout", str(plain)], brief_settings) == 0
    lines = [line for line in plain.read_text(encoding="utf-8").splitlines() if line]
    assert lines[0] == f"# {LAB_UNIT}：合规要点告知书"
    # the rules sanctioned alike share one line naming the penalty article and its sanction
    (sanction,) = [line for line in lines if line.startswith("违反第")]
    assert re.fullmatch(r"违反第1至\d+项的罚则：警告、限期改进、责令关闭（第二十九条）。", sanction)
    assert any(line.startswith("签收回执") for line in lines)
    with pytest.raises(BriefingError, match="日期格式应为 YYYY-MM-DD：2026-13-40"):
        _run(["brief", LAB_UNIT, "--date", "2026-13-40", "--out", str(out)], brief_settings)
    with pytest.raises(BriefingError, match=r"\.docx 或 \.md"):
        _run(["brief", LAB_UNIT, "--out", str(tmp_path / "brief.pdf")], brief_settings)
    store.people.set_role("tg:9", "inspector", "赵六")
    other = store.sessions.start("tg:9", HGR_UNIT, at=DAY)
    with pytest.raises(RecordsError, match="不是在该单位开展的"):
        _run(["brief", LAB_UNIT, "--out", str(out), "--session", str(other.id)], brief_settings)
    assert store.materials.of_year(2026) == []
