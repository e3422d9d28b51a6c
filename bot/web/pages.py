"""Templates (Jinja2, every value escaped) and the helpers every page uses: render, redirect, download,
the year asked for."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.records.calendar import REPORT_TZ
from bot.records.reports.labels import domain_label
from bot.render import answer_sections, case_lines
from bot.web.security import CSRF_FIELD, csrf_token, text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


def _local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "" if moment is None else moment.astimezone(REPORT_TZ).strftime(fmt)


environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(("html",), default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["local"] = _local
environment.filters["domain"] = domain_label
environment.globals |= {
    "answer_sections": answer_sections,
    "case_lines": case_lines,
    "CSRF_FIELD": CSRF_FIELD,
}


def page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """``template`` rendered with ``values``, the signed-in account, the CSRF token and the flash message."""
    flash = request.session.pop("flash", None) if "session" in request.scope else None
    context = {
        "request": request,
        "account": getattr(request.state, "account", None),
        "csrf": csrf_token(request) if "session" in request.scope else "",
        "flash": flash,
        **values,
    }
    return HTMLResponse(environment.get_template(template).render(context), status_code=status)


def redirect(url: str, flash: tuple[str, str] | None = None, request: Request | None = None) -> RedirectResponse:
    """A 303 to ``url`` (after a form), with an optional ``(kind, message)`` shown on the next page."""
    if flash is not None and request is not None:
        request.session["flash"] = list(flash)
    return RedirectResponse(url, status_code=303)


def login_url(request: Request) -> str:
    return "/console/login?next=" + quote(request.url.path)


def download(content: bytes, name: str, media_type: str) -> Response:
    """A file download whose (Chinese) name survives every browser."""
    disposition = f"attachment; filename=\"download{Path(name).suffix}\"; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=media_type, headers={"content-disposition": disposition})


def query_year(request: Request, today: date) -> int:
    """The ``year`` asked for in the query string (this year when none); 400 when it is no year."""
    raw = request.query_params.get("year", "")
    if not raw:
        return today.year
    if not (raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100):
        raise HTTPException(400, text("errors.year_invalid", value=raw))
    return int(raw)
