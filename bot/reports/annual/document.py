"""The annual report as an official Word document: title, 一、…五、 headings, body in 仿宋 (or the CJK font
installed), tables, two charts, page numbers, and the appendix of every session the figures come from."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table

from bot.records.reports.labels import domain_label
from bot.reports import chart, word
from bot.reports.annual.charts import write_coverage_chart
from bot.reports.annual.figures import AnnualFigures
from bot.reports.training import write_training_chart
from knowledge.law.domains import REGULATED
from knowledge.templates import items
from knowledge.templates import text as template

# Fonts of a government document (GB/T 9704): body 仿宋, headings 黑体 and 楷体; where none is installed
# the first installed CJK family is named instead, so the PDF shows what the Word file says.
BODY_FONTS = ("仿宋", "FangSong", "仿宋_GB2312", "宋体", "SimSun")
HEADING_FONTS = ("黑体", "SimHei")
SECOND_FONTS = ("楷体", "KaiTi")
BODY_PT, TITLE_PT, HEADING_PT, TABLE_PT = 14.0, 20.0, 15.0, 9.0
CHART_CM = 15.0
APPENDIX_COLUMNS = (
    0,
    1,
    2,
    4,
    7,
    8,
    9,
    12,
)  # of the export rows: 编号 类型 单位 开始时间 检查编号 人数 提问 领域
APPENDIX_WIDTHS_CM = (1.1, 1.1, 4.0, 2.8, 2.2, 1.1, 1.1, 2.4)  # 15.8 cm between the margins
MAX_NAMES = 10  # units or inspectors named in one sentence


def _t(key: str, **values: object) -> str:
    return template("annual", key, **values)


@cache
def _installed() -> tuple[str, ...]:
    """The CJK font families fontconfig knows (none when fc-list is missing)."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return ()
    listed = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    return tuple(name.strip() for line in listed.splitlines() for name in line.split(","))


def font_for(wanted: tuple[str, ...]) -> str:
    """The first of ``wanted`` installed, else the CJK family the charts use, else the first wanted."""
    installed = _installed()
    found = next((name for name in wanted if name in installed), None)
    if found:
        return found
    return chart.cjk_font().get_name() if installed else wanted[0]


def _style(document: Document) -> None:
    body, heading, second = font_for(BODY_FONTS), font_for(HEADING_FONTS), font_for(SECOND_FONTS)
    for name, font, size in (
        ("Normal", body, BODY_PT),
        ("Title", heading, TITLE_PT),
        ("Heading 1", heading, HEADING_PT),
        ("Heading 2", second, HEADING_PT - 1),
    ):
        style = document.styles[name]
        style.font.name = font
        style.font.size = Pt(size)
        style.font.bold = name == "Heading 1"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        style.paragraph_format.space_after = Pt(4)
    document.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.styles["Normal"].paragraph_format.first_line_indent = Pt(2 * BODY_PT)
    document.styles["Normal"].paragraph_format.line_spacing = 1.25


def _page_numbers(document: Document) -> None:
    """``— N —`` centred in the footer: a PAGE field Word and LibreOffice both fill in."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, after = _t("footer.page", page="\x00").split("\x00")
    paragraph.add_run(before)
    run = paragraph.add_run()
    for kind, instruction in (("begin", ""), ("", " PAGE "), ("end", "")):
        if instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = instruction
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
    paragraph.add_run(after)


def _caption(document: Document, words: str) -> None:
    paragraph = document.add_paragraph(words)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)


def _share(part: int, whole: int) -> str:
    return _t("percent", value=100 * part / whole) if whole else _t("no_share")


def _names(names: list[str]) -> str:
    shown = _t("list_joiner").join(names[:MAX_NAMES])
    return shown + (_t("problems.unreached_more") if len(names) > MAX_NAMES else "")


def write_report(figures: AnnualFigures, out: Path, today: date) -> Path:
    """Write the report to ``out`` (.docx), atomically."""
    document = word.new_document(margins_cm=2.6)
    _style(document)
    _page_numbers(document)
    document.add_heading(_t("title", year=figures.year), level=0)
    _caption(document, _t("subtitle", date=today.isoformat()))
    with tempfile.TemporaryDirectory(prefix="pufa-report-") as tmp:
        _basics(document, figures, today, Path(tmp))
        _outreach(document, figures, Path(tmp))
        _training(document, figures, Path(tmp))
        _problems(document, figures)
        _next(document, figures)
        _appendix(document, figures)
        return word.save(document, out)


def _table(
    document: Document, key: str, rows: Sequence[Sequence[object]], widths: tuple[float, ...] = ()
) -> None:
    _flush(word.add_table(document, items("annual", key), rows, widths or None, font_pt=TABLE_PT))


def _flush(table: Table) -> None:
    """Table cells without the body's first-line indent (it would squeeze every cell)."""
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.first_line_indent = Pt(0)


def _basics(document: Document, figures: AnnualFigures, today: date, tmp: Path) -> None:
    stats, by_domain = figures.stats, figures.units_by_domain
    document.add_heading(_t("basics.heading"), level=1)
    lab, hgr = (by_domain[d] for d in REGULATED)
    document.add_paragraph(
        _t("basics.units", date=today.isoformat(), units=len(figures.units), lab=lab, hgr=hgr)
    )
    document.add_paragraph(
        _t(
            "basics.inspections",
            inspections=figures.inspections,
            onsite=len(figures.onsite),
            with_inspection=figures.onsite_with_inspection,
        )
    )
    rows: list[tuple[object, ...]] = [
        (
            domain_label(d),
            stats.units_registered.get(d, 0),
            stats.units_reached.get(d, 0),
            _share(stats.units_reached.get(d, 0), stats.units_registered.get(d, 0)),
        )
        for d in REGULATED
    ]
    registered, reached = stats.units_registered.get("all", 0), stats.units_reached.get("all", 0)
    rows.append((_t("basics.all"), registered, reached, _share(reached, registered)))
    _table(document, "basics.table", rows)
    document.add_picture(str(write_coverage_chart(stats, tmp / "coverage.png")), width=Cm(CHART_CM * 0.8))
    _caption(document, _t("basics.chart", year=figures.year))


def _outreach(document: Document, figures: AnnualFigures, tmp: Path) -> None:
    stats = figures.stats
    document.add_heading(_t("outreach.heading"), level=1)
    registered, reached = stats.units_registered.get("all", 0), stats.units_reached.get("all", 0)
    document.add_paragraph(
        _t(
            "outreach.summary",
            sessions=stats.sessions,
            onsite=stats.onsite,
            online=stats.online,
            attendees=stats.attendees,
            reached=reached,
            share=_share(reached, registered),
            questions=stats.questions,
            answered=stats.answered,
        )
    )
    document.add_heading(_t("outreach.by_month"), level=2)
    series = list(stats.by_domain)
    header = [*items("annual", "outreach.by_month_table"), *(domain_label(d) for d in series)]
    rows = [
        (
            _t("outreach.month", month=m),
            stats.by_month[m]["onsite"],
            stats.by_month[m]["online"],
            *(stats.by_month_domain[m].get(d, 0) for d in series),
        )
        for m in stats.months
    ]
    rows.append(
        (
            _t("outreach.total"),
            stats.onsite,
            stats.online,
            *(sum(stats.by_domain[d].values()) for d in series),
        )
    )
    _flush(word.add_table(document, header, rows, None, font_pt=TABLE_PT))
    document.add_picture(str(chart.write_chart(stats, tmp / "sessions.png")), width=Cm(CHART_CM))
    _caption(document, _t("outreach.chart_sessions", year=figures.year))
    document.add_heading(_t("outreach.topics"), level=2)
    if stats.top_articles:
        rows = [(i, a.label, a.count) for i, a in enumerate(stats.top_articles, 1)]
        _table(document, "outreach.topics_table", rows, (1.4, 11.0, 2.0))
    else:
        document.add_paragraph(_t("outreach.topics_none"))
    document.add_heading(_t("outreach.materials"), level=2)
    cases = figures.cases_used
    document.add_paragraph(
        _t(
            "outreach.materials_text",
            briefed=figures.sessions_briefed,
            cases=len(cases),
            titles=_t("list_joiner").join(cases) or _t("none"),
        )
    )


def _training(document: Document, figures: AnnualFigures, tmp: Path) -> None:
    report = figures.training
    document.add_heading(_t("training.heading"), level=1)
    scores = [s.exam_score for s in report.inspectors if s.exam_score is not None]
    document.add_paragraph(
        _t(
            "training.summary",
            inspectors=len(report.inspectors),
            required=f"{report.required:g}",
            done=len(report.inspectors) - len(report.behind),
            behind=len(report.behind),
            examined=len(scores),
            average=f"{sum(scores) / len(scores):.1f}" if scores else _t("training.no_average"),
        )
    )
    if not report.inspectors:
        return
    rows = [
        (
            s.inspector,
            f"{s.hours:g}",
            f"{s.required:g}",
            _t("training.no_score") if s.exam_score is None else f"{s.exam_score:g}",
            _t("training.behind", short=f"{s.hours_short:g}") if s.behind else _t("training.done"),
        )
        for s in report.inspectors
    ]
    _table(document, "training.table", rows)
    document.add_picture(str(write_training_chart(report, tmp / "training.png")), width=Cm(CHART_CM))
    _caption(document, _t("training.chart", year=figures.year))


def _troubled(figures: AnnualFigures) -> list[str]:
    return [a.label for a in figures.answers if a.troubled]


def _problems(document: Document, figures: AnnualFigures) -> None:
    document.add_heading(_t("problems.heading"), level=1)
    lines = []
    if figures.unreached:
        names = _names([u.name for u in figures.unreached])
        lines.append(_t("problems.unreached", count=len(figures.unreached), names=names))
    behind = figures.training.behind
    if behind:
        names = _names([s.inspector for s in behind])
        lines.append(_t("problems.behind", names=names, required=f"{figures.training.required:g}"))
    for answers in figures.answers:
        if answers.troubled:
            lines.append(
                _t(
                    "problems.answers",
                    domain=answers.label,
                    declined=answers.declined,
                    share=_share(answers.declined, answers.questions),
                    disliked=answers.disliked,
                )
            )
    for index, line in enumerate(lines or [_t("problems.none")], 1):
        document.add_paragraph(f"{index}. {line}" if lines else line)


def _next(document: Document, figures: AnnualFigures) -> None:
    document.add_heading(_t("next.heading"), level=1)
    lines = []
    if figures.unreached:
        lines.append(_t("next.unreached", count=len(figures.unreached)))
    if figures.training.behind:
        lines.append(_t("next.behind", count=len(figures.training.behind)))
    troubled = _troubled(figures)
    if troubled:
        lines.append(_t("next.answers", domains=_t("list_joiner").join(troubled)))
    if figures.stats.top_articles:
        lines.append(_t("next.topics", article=figures.stats.top_articles[0].label))
    lines.append(_t("next.keep"))
    for index, line in enumerate(lines, 1):
        document.add_paragraph(f"{index}. {line}")


def _appendix(document: Document, figures: AnnualFigures) -> None:
    word.page_break(document)
    document.add_heading(_t("appendix.heading"), level=1)
    document.add_paragraph(_t("appendix.intro", count=len(figures.appendix)))
    rows = [tuple(row[i] for i in APPENDIX_COLUMNS) for row in figures.appendix]
    _table(document, "appendix.table", rows, APPENDIX_WIDTHS_CM)
