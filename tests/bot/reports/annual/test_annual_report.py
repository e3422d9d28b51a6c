"""`pufa report`: the annual report from the records — its figures recomputed here from the database with
queries of the test's own, five headings, two charts, the appendix of every session, page numbers, official
fonts, and a PDF LibreOffice can render."""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest
from sqlalchemy import create_engine, func, select

from bot.cli.report import add_parsers
from bot.records.calendar import REPORT_TZ
from bot.records.models import SessionDomainRow, SessionRow, TurnRow, UnitRow
from bot.records.services import Records
from bot.records.training.entries import make_entry
from bot.records.units.register import UnitInput
from bot.reports.annual.document import BODY_FONTS, font_for
from bot.reports.errors import ReportError
from bot.settings import Settings
from tests.support.outreach import BACKENDS, backend_settings, credit_code, make_turn
from tests.support.pdf import as_pdf

YEAR = 2026
LAB, HGR, BOTH, QUIET = "某某实验动物中心", "某某基因检测有限公司", "某某大学附属医院", "某某生物制药有限公司"
HEADINGS = ["一、基本情况", "二、普法工作开展情况", "三、执法人员培训", "四、存在的问题"]


def at(month: int, day: int = 10, hour: int = 2) -> datetime:
    return datetime(YEAR, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def report_settings(request: pytest.FixtureRequest, tmp_path: Path, index_dir: Path) -> Iterator[Settings]:
    with backend_settings(request.param, tmp_path) as fresh:
        yield fresh.with_changes(database_url=fresh.effective_database_url, data_dir=index_dir)


@pytest.fixture
def records(report_settings: Settings) -> Iterator[Records]:
    """Four units (one never reached), questions online, three on-site sessions (two with inspection
    numbers, one of them shared by two sessions), two inspectors (one behind), one session of last year."""
    store = Records.open(report_settings)
    for serial, (name, domains) in enumerate(
        (
            (LAB, ("lab_animals",)),
            (HGR, ("human_genetic_resources",)),
            (BOTH, ("lab_animals", "human_genetic_resources")),
            (QUIET, ("human_genetic_resources",)),
        ),
        1,
    ):
        store.units.add(UnitInput(name, credit_code(200 + serial), domains))
    store.units.enrol("tg:1", "李四", UnitInput(LAB, credit_code(201), ()))
    store.units.enrol("tg:2", "王五", UnitInput(HGR, credit_code(202), ()))
    liked = make_turn("tg:1", at(3), citations=(("lab-animal-regulation", 16),))
    turns = [
        liked,
        make_turn("tg:1", at(3, 20), citations=(("lab-animal-regulation", 16),)),
        make_turn("tg:1", at(5), citations=(("lab-animal-regulation", 13),)),
        make_turn(
            "tg:2", at(5), citations=(("hgr-regulation-2019", 27),), domains=("human_genetic_resources",)
        ),
        make_turn("tg:2", at(6), citations=(), domains=("human_genetic_resources",), declined=True),
        make_turn("tg:1", datetime(YEAR - 1, 6, 1, tzinfo=UTC)),
    ]
    for turn in turns:
        store.turns.record(turn)
    store.turns.record_feedback(liked.uid, 1)
    store.people.set_role("tg:8", "inspector", "赵六")
    store.people.set_role("tg:9", "inspector", "钱七")
    for unit, number, month, people in (
        (LAB, "JC-2026-1", 4, 12),
        (BOTH, "JC-2026-2", 6, 30),
        (BOTH, "JC-2026-2", 9, 8),
    ):
        store.sessions.start("tg:8", unit, number, at=at(month))
        store.sessions.end("tg:8", people, at=at(month, hour=4))
    store.sessions.start("tg:9", HGR, at=at(10))
    store.sessions.end("tg:9", 5, at=at(10, hour=4))
    for entry in (
        ("赵六", f"{YEAR}-03-01", 20, "讲座", "实验动物"),
        ("赵六", f"{YEAR}-04-01", 20, "模拟执法", "实验动物"),
        ("赵六", f"{YEAR}-06-01", 24, "闭卷考试", "人类遗传资源", 88),
        ("钱七", f"{YEAR}-04-01", 12, "讲座", "行政处罚"),
    ):
        store.training.add(make_entry(*entry, today=date(YEAR, 12, 31)))
    yield store
    store.close()


def _run(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="pufa")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args, settings))


def _recomputed(settings: Settings) -> dict[str, object]:
    """The report's figures, counted here straight from the tables."""
    engine = create_engine(settings.effective_database_url)
    start, end = datetime(YEAR, 1, 1, tzinfo=REPORT_TZ), datetime(YEAR + 1, 1, 1, tzinfo=REPORT_TZ)
    try:
        with engine.connect() as db:
            sessions = db.execute(
                select(
                    SessionRow.id,
                    SessionRow.kind,
                    SessionRow.started_at,
                    SessionRow.attendees,
                    SessionRow.inspection_no,
                    SessionRow.unit_id,
                ).where(SessionRow.started_at >= start, SessionRow.started_at < end)
            ).all()
            units = db.scalar(select(func.count()).select_from(UnitRow))
            questions = db.scalar(
                select(func.count())
                .select_from(TurnRow)
                .where(TurnRow.asked_at >= start, TurnRow.asked_at < end)
            )
            touched: dict[int, set[str]] = {}
            for session_id, domain in db.execute(
                select(SessionDomainRow.session_id, SessionDomainRow.domain)
                .join(SessionRow, SessionRow.id == SessionDomainRow.session_id)
                .where(SessionRow.started_at >= start, SessionRow.started_at < end)
            ):
                touched.setdefault(session_id, set()).add(domain)
            # each session counts once: under its only domain (one taught several counts as 跨领域)
            domains = Counter(next(iter(d)) for d in touched.values() if len(d) == 1)
    finally:
        engine.dispose()
    onsite = [s for s in sessions if s.kind == "onsite"]
    months = Counter((s.started_at.astimezone(REPORT_TZ).month, s.kind) for s in sessions)
    return {
        "sessions": len(sessions),
        "onsite": len(onsite),
        "online": len(sessions) - len(onsite),
        "attendees": sum(s.attendees or 0 for s in onsite),
        "inspections": len({s.inspection_no for s in onsite if s.inspection_no}),
        "with_inspection": sum(1 for s in onsite if s.inspection_no),
        "units": units,
        "reached": len({s.unit_id for s in sessions if s.unit_id}),
        "questions": questions,
        "months": months,
        "domains": domains,
    }


def test_report_figures_are_the_records_and_the_layout_is_official(
    records: Records, report_settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "报告.docx"
    assert _run(["report", "--year", str(YEAR), "--out", str(out)], report_settings) == 0
    document = docx.Document(str(out))
    paragraphs = [p.text for p in document.paragraphs]
    text = "\n".join(paragraphs)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == HEADINGS and headings[4].startswith("五、下一步工作（草稿") and len(headings) >= 5
    assert document.paragraphs[0].style.name == "Title" and str(YEAR) in paragraphs[0]
    assert len(document.inline_shapes) == 3  # coverage, sessions by month and domain, training hours

    figures = _recomputed(report_settings)
    assert (
        f"全年开展普法{figures['sessions']}场，其中现场普法{figures['onsite']}场、线上咨询会话{figures['online']}场"
        in text
    )
    assert f"现场参加{figures['attendees']}人次" in text and f"普法覆盖登记单位{figures['reached']}家" in text
    assert f"全年开展执法检查{figures['inspections']}次" in text
    assert f"其中{figures['with_inspection']}场结合执法检查" in text
    assert f"登记监管单位{figures['units']}家" in text and f"收到咨询{figures['questions']}条" in text
    assert (figures["inspections"], figures["with_inspection"], figures["onsite"]) == (2, 3, 4)

    month_table = next(t for t in document.tables if t.rows[0].cells[0].text == "月份")
    for row in month_table.rows[1:13]:
        month = int(row.cells[0].text.removesuffix("月"))
        assert int(row.cells[1].text) == figures["months"][(month, "onsite")]  # type: ignore[index]
        assert int(row.cells[2].text) == figures["months"][(month, "online")]  # type: ignore[index]
    header = [c.text for c in month_table.rows[0].cells]
    total = [c.text for c in month_table.rows[13].cells]
    for label, code in (("实验动物", "lab_animals"), ("人类遗传资源", "human_genetic_resources")):
        assert int(total[header.index(label)]) == figures["domains"][code]  # type: ignore[index]

    training = next(t for t in document.tables if t.rows[0].cells[0].text == "执法人员")
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in training.rows[1:]}
    assert rows["赵六"][1:4] == ["64", "60", "88"] and rows["赵六"][4] == "已达标"
    assert rows["钱七"][1] == "12" and rows["钱七"][4] == "差48学时"
    assert f"{QUIET}" in text.split("四、存在的问题")[1]  # the unit never reached is named
    assert "钱七" in text.split("四、存在的问题")[1]

    appendix = document.tables[-1]
    assert [c.text for c in appendix.rows[0].cells][:2] == ["编号", "类型"]
    assert len(appendix.rows) - 1 == figures["sessions"]

    body = document.styles["Normal"].element.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia"))
    assert body == font_for(BODY_FONTS)
    footer = document.sections[0].footer._element.xml
    assert "PAGE" in footer

    if report_settings.effective_database_url.startswith("sqlite"):
        pages, words = as_pdf(out, tmp_path)
        assert pages >= 2 and re.search(r"—\s*1\s*—", words) and re.search(r"—\s*2\s*—", words)


def test_bad_output_file_is_refused(report_settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"\.docx"):
        _run(["report", "--year", str(YEAR), "--out", str(tmp_path / "报告.pdf")], report_settings)
