"""统计 (figures, chart, export download), 简报 (brief and handout download), 典型案例 (browse), 问答记录
(recent questions for review)."""

from __future__ import annotations

import io
import tempfile
from datetime import date
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.briefing.content import build_briefing
from bot.briefing.outline import briefing_outline, handout_outline
from bot.briefing.writers import write as write_briefing
from bot.records.calendar import local_date
from bot.reports import chart, export
from bot.reports.annual.build import annual_report
from bot.web.auth import console_page, services
from bot.web.pages import DOCX, XLSX, download, page, query_year
from bot.web.security import text
from knowledge.cases.lookup import cite_case, find_cases
from knowledge.law import domains

_FILTERS = {"attention": "未回答或👎", "all": "全部", "declined": "未能回答", "disliked": "👎"}


def _today(request: Request) -> date:
    return local_date(services(request).records.database.now())


def _domain(request: Request) -> str | None:
    raw = request.query_params.get("domain", "")
    return raw if raw in domains.known() else None


@console_page()
async def stats_page(request: Request) -> Response:
    web = services(request)
    year, domain = query_year(request, _today(request)), _domain(request)
    figures = await web.run(web.records.reports.stats, year, None, domain, web.titles)
    return page(
        request, "console/stats.html", figures=figures, year=year, domain=domain or "", domain_codes=domains.known()
    )


@console_page()
async def stats_chart(request: Request) -> Response:
    web = services(request)
    figures = await web.run(web.records.reports.stats, query_year(request, _today(request)), None, _domain(request), web.titles)

    def png() -> bytes:
        buffer = io.BytesIO()
        chart.build_chart(figures).savefig(buffer, format="png")
        return buffer.getvalue()

    return Response(await web.run(png), media_type="image/png")


@console_page()
async def stats_export(request: Request) -> Response:
    web = services(request)
    year = query_year(request, _today(request))
    fmt = request.query_params.get("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        raise HTTPException(400, text("errors.not_found"))
    rows = await web.run(web.records.reports.session_rows, year, web.titles)

    def written() -> bytes:
        with tempfile.TemporaryDirectory(prefix="pufa-web-") as folder:
            return export.write(rows, fmt, Path(folder) / f"export.{fmt}", year).read_bytes()

    content = await web.run(written)
    media = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    return download(content, f"{year}年普法明细.{fmt}", media)


@console_page()
async def annual_download(request: Request) -> Response:
    """The year's annual report (Word), built by the same function as ``pufa report``."""
    web = services(request)
    year, today = query_year(request, _today(request)), _today(request)

    def written() -> bytes:
        with tempfile.TemporaryDirectory(prefix="pufa-web-") as folder:
            out = annual_report(web.records, web.assistant.library, year, Path(folder) / "report.docx", today)
            return out.read_bytes()

    return download(await web.run(written), f"{year}年普法工作年度报告.docx", DOCX)


@console_page()
async def briefs_page(request: Request) -> Response:
    web = services(request)
    return page(request, "console/briefs.html", units=await web.run(web.records.units.list))


@console_page()
async def brief_download(request: Request) -> Response:
    """The pre-inspection brief (or the one-page handout) of a unit, as Word."""
    web = services(request)
    unit = request.query_params.get("unit", "")
    handout = request.query_params.get("kind") == "handout"
    on = local_date(web.records.database.now())

    def written() -> tuple[str, bytes]:
        briefing = build_briefing(web.records, web.assistant.library, unit, on)
        blocks = handout_outline(briefing) if handout else briefing_outline(briefing)
        with tempfile.TemporaryDirectory(prefix="pufa-web-") as folder:
            path = write_briefing(blocks, Path(folder) / "brief.docx", compact=handout)
            return briefing.unit.name, path.read_bytes()

    name, content = await web.run(written)
    label = "告知单" if handout else "检查前简报"
    return download(content, f"{name}{label}{on.isoformat()}.docx", DOCX)


@console_page()
async def cases_page(request: Request) -> Response:
    web = services(request)
    query = request.query_params.get("q", "").strip()
    library = web.assistant.library
    found = [cite_case(library, c) for c in find_cases(library, query)]
    return page(request, "console/cases.html", q=query, cases=found)


@console_page()
async def questions_page(request: Request) -> Response:
    web = services(request)
    only = request.query_params.get("only", "attention")
    if only not in _FILTERS:
        only = "attention"
    turns = await web.run(web.records.review.recent, 200, only)
    library = web.assistant.library
    return page(
        request,
        "console/questions.html",
        turns=turns,
        only=only,
        filters=_FILTERS,
        cite=lambda ref: library.short_citation(ref) if ref in library.articles else f"{ref.doc_id} 第{ref.article}条",
    )


routes = [
    Route("/console/stats", stats_page),
    Route("/console/stats/chart.png", stats_chart),
    Route("/console/stats/export", stats_export),
    Route("/console/stats/annual", annual_download),
    Route("/console/briefs", briefs_page),
    Route("/console/briefs/download", brief_download),
    Route("/console/cases", cases_page),
    Route("/console/questions", questions_page),
]
