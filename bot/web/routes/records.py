"""执法对象库 (units) and 普法活动 (on-site sessions): thin pages over UnitRegister and OnsiteLog."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.records.calendar import REPORT_TZ, local_date
from bot.records.errors import RecordsError
from bot.records.sessions.records import OnsiteSession, SessionInput
from bot.records.sessions.sheet import Teaching, article_resolver
from bot.records.units.records import Unit
from bot.records.units.register import UnitInput
from bot.records.validate import parse_attendees, parse_count, parse_date, parse_time, split_list
from bot.web.auth import console_page, current, services
from bot.web.pages import page, query_year, redirect
from bot.web.security import checked_form, text
from knowledge.law import domains
from knowledge.law.domains import REGULATED

MAX_SHEET_MB = 5
_SORTS = {
    "name": lambda u: (u.name,),
    "code": lambda u: (u.credit_code,),
    "domain": lambda u: (u.domains, u.name),
}


def _field(form: FormData, key: str) -> str:
    value = form.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def _pending_imports(request: Request) -> dict[str, tuple[int, str, bytes]]:
    """Uploaded sheets waiting for "只导入正确的行", by token: (account id, file name, content)."""
    pending: dict[str, tuple[int, str, bytes]] = request.app.state.pending_imports
    return pending


# ----------------------------------------------------------------------------- units


@console_page()
async def units_page(request: Request) -> Response:
    web = services(request)
    query = request.query_params.get("q", "").strip()
    sort = request.query_params.get("sort", "name")
    units = await web.run(web.records.units.list)
    if query:
        units = [u for u in units if query in u.name or query.upper() in u.credit_code]
    units.sort(key=_SORTS.get(sort, _SORTS["name"]))
    return page(
        request, "console/units.html", units=units, q=query, sort=sort, regulated=REGULATED, report=None
    )


async def _upload(form: FormData) -> tuple[str, bytes]:
    upload = form.get("sheet")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise RecordsError(text("errors.file_missing"))
    content = await upload.read()
    if len(content) > MAX_SHEET_MB * 1024 * 1024:
        raise RecordsError(text("errors.file_too_large", limit=MAX_SHEET_MB))
    return upload.filename, content


@console_page(admin=True)
async def units_import(request: Request) -> Response:
    """Import a sheet: all or nothing; with errors, the file is kept so "只导入正确的行" needs no re-upload."""
    form = await checked_form(request)
    web = services(request)
    pending = _pending_imports(request)
    token = _field(form, "pending")
    try:
        if token:
            owner, name, content = pending.pop(token, (0, "", b""))
            if owner != current(request).id:
                raise RecordsError(text("errors.file_missing"))
            report = await web.run(web.records.units.import_sheet, name, content, partial=True)
        else:
            name, content = await _upload(form)
            report = await web.run(web.records.units.import_sheet, name, content, partial=False)
            if not report.applied and report.accepted:
                token = secrets.token_urlsafe(16)
                while len(pending) >= 64:
                    pending.pop(next(iter(pending)))
                pending[token] = (current(request).id, name, content)
    except RecordsError as error:
        return redirect("/console/units", ("error", str(error)), request)
    units = await web.run(web.records.units.list)
    return page(
        request,
        "console/units.html",
        units=units,
        q="",
        sort="name",
        regulated=REGULATED,
        report=report,
        pending="" if report.applied else token,
    )


def _unit_input(form: FormData) -> UnitInput:
    return UnitInput(
        name=_field(form, "name"),
        credit_code=_field(form, "credit_code"),
        domains=tuple(str(d) for d in form.getlist("domains")),
        licence_no=_field(form, "licence_no"),
        address=_field(form, "address"),
        contact=_field(form, "contact"),
    )


@console_page(admin=True)
async def unit_add(request: Request) -> Response:
    form = await checked_form(request)
    web = services(request)
    try:
        unit = await web.run(web.records.units.add, _unit_input(form))
    except RecordsError as error:
        return redirect("/console/units", ("error", str(error)), request)
    return redirect("/console/units", ("ok", text("pages.unit_saved", name=unit.name)), request)


async def _unit(request: Request) -> Unit:
    web = services(request)
    code = request.path_params["code"]
    try:
        return await web.run(web.records.units.find, code)
    except RecordsError as error:
        raise HTTPException(404, str(error)) from None


@console_page()
async def unit_page(request: Request) -> Response:
    unit = await _unit(request)
    web = services(request)
    year = local_date(web.records.database.now()).year
    sessions = await web.run(web.records.sessions.list, year, unit.credit_code)
    today = local_date(web.records.database.now()).isoformat()
    return page(
        request, "console/unit.html", unit=unit, regulated=REGULATED, sessions=sessions, year=year, today=today
    )


@console_page(admin=True)
async def unit_edit(request: Request) -> Response:
    form = await checked_form(request)
    unit = await _unit(request)
    web = services(request)
    changed = _unit_input(form)
    try:
        saved = await web.run(
            web.records.units.update,
            unit.credit_code,
            name=changed.name,
            credit_code=changed.credit_code,
            domains=changed.domains,
            licence_no=changed.licence_no,
            address=changed.address,
            contact=changed.contact,
        )
    except RecordsError as error:
        return redirect(f"/console/units/{unit.credit_code}", ("error", str(error)), request)
    return redirect(f"/console/units/{saved.credit_code}", ("ok", text("pages.saved")), request)


@console_page(admin=True)
async def unit_retire(request: Request) -> Response:
    """Retire the unit from a day (kept in history, out of coverage from then), with a reason."""
    form = await checked_form(request)
    unit = await _unit(request)
    web = services(request)
    reason = _field(form, "reason")
    try:
        if not reason:
            raise RecordsError(text("errors.field_required", field="退出原因"))
        day = parse_date(_field(form, "day"), local_date(web.records.database.now()), "退出日期")
        await web.run(web.records.units.retire, unit.credit_code, day, reason)
    except RecordsError as error:
        return redirect(f"/console/units/{unit.credit_code}", ("error", str(error)), request)
    return redirect(f"/console/units/{unit.credit_code}", ("ok", text("pages.saved")), request)


# ----------------------------------------------------------------------------- sessions


@console_page()
async def sessions_page(request: Request) -> Response:
    web = services(request)
    today = local_date(web.records.database.now())
    year = query_year(request, today)
    month = request.query_params.get("month", "")
    domain = request.query_params.get("domain", "")
    sessions = await web.run(web.records.sessions.list, year)
    if month.isdigit():
        sessions = [s for s in sessions if local_date(s.started_at).month == int(month)]
    if domain:
        sessions = [s for s in sessions if domain in s.domains]
    return page(
        request,
        "console/sessions.html",
        sessions=sessions,
        year=year,
        month=month,
        domain=domain,
        domain_codes=domains.known(),
        titles=web.titles,
    )


async def _form_choices(request: Request) -> dict[str, Any]:
    """What the session form offers: units, inspectors, articles, domains."""
    web = services(request)
    units = await web.run(web.records.units.list)
    accounts = await web.run(web.records.accounts.list)
    registered = await web.run(web.records.people.inspectors)
    return {
        "units": units,
        "people": sorted({*registered, *(a.name for a in accounts if a.active)}),
        "articles": web.article_choices(),
        "domain_codes": domains.known(),
        "today": local_date(web.records.database.now()).isoformat(),
    }


def _session_input(form: FormData, today: date, web_resolve: Any) -> SessionInput:
    """The form as a SessionInput, parsed by the same validators the CLI uses."""
    chosen = [raw.strip() for raw in form.getlist("articles") if isinstance(raw, str) and raw.strip()]
    teaching = web_resolve("；".join(chosen)) if chosen else Teaching((), ())
    inspectors = tuple(str(n) for n in form.getlist("inspectors") if str(n).strip())
    inspectors += split_list(_field(form, "other_inspectors"))
    unit = _field(form, "unit")
    if not unit:
        raise RecordsError(text("errors.field_required", field="单位"))
    return SessionInput(
        unit=unit,
        day=parse_date(_field(form, "date"), today),
        attendees=parse_attendees(_field(form, "attendees")),
        start=parse_time(_field(form, "time") or "09:00"),
        minutes=parse_count(_field(form, "minutes") or "60", "时长（分钟）"),
        domains=tuple(str(d) for d in form.getlist("domains")),
        inspection_no=_field(form, "inspection_no"),
        topic=_field(form, "topic"),
        inspectors=tuple(dict.fromkeys(inspectors)),
        articles=teaching.articles,
        article_domains=teaching.domains,
    )


@console_page()
async def session_new(request: Request) -> Response:
    return page(request, "console/session_form.html", session=None, values={}, error="", **await _form_choices(request))


@console_page()
async def session_add(request: Request) -> Response:
    form = await checked_form(request)
    web = services(request)
    today = local_date(web.records.database.now())
    try:
        entry = _session_input(form, today, article_resolver(web.assistant.library))
        session = await web.run(web.records.sessions.add, entry, current(request).actor)
    except RecordsError as error:
        values = {k: form.getlist(k) for k in form}
        return page(
            request,
            "console/session_form.html",
            400,
            session=None,
            values=values,
            error=str(error),
            **await _form_choices(request),
        )
    year = local_date(session.started_at).year
    return redirect(f"/console/sessions?year={year}", ("ok", text("pages.session_saved", id=session.id)), request)


async def _session(request: Request) -> OnsiteSession:
    """The session of the path, else 404 with the records' message."""
    web = services(request)
    try:
        return await web.run(web.records.sessions.get, request.path_params["id"])
    except RecordsError as error:
        raise HTTPException(404, str(error)) from None


@console_page()
async def session_page(request: Request) -> Response:
    session = await _session(request)
    web = services(request)
    audit = await web.run(web.records.sessions.audit, session.id)
    choices = await _form_choices(request)
    values = {
        "unit": [session.unit.name],
        "date": [local_date(session.started_at).isoformat()],
        "time": [session.started_at.astimezone(REPORT_TZ).strftime("%H:%M")],
        "minutes": [str(int((session.ended_at - session.started_at).total_seconds() // 60)) if session.ended_at else "60"],
        "attendees": [str(session.attendees or 0)],
        "domains": list(session.domains),
        "inspection_no": [session.inspection_no],
        "topic": [session.topic],
        "inspectors": list(session.inspectors),
        "articles": [web.assistant.library.short_citation(ref) for ref in session.articles],
    }
    return page(request, "console/session_form.html", session=session, values=values, error="", audit=audit, **choices)


@console_page()
async def session_edit(request: Request) -> Response:
    form = await checked_form(request)
    session = await _session(request)
    web = services(request)
    today = local_date(web.records.database.now())
    try:
        entry = _session_input(form, today, article_resolver(web.assistant.library))
        changes = {
            "unit": entry.unit,
            "day": entry.day,
            "attendees": entry.attendees,
            "start": entry.start,
            "minutes": entry.minutes,
            "domains": entry.domains,
            "inspection_no": entry.inspection_no,
            "topic": entry.topic,
            "inspectors": entry.inspectors,
            "articles": entry.articles,
            "article_domains": entry.article_domains,
        }
        await web.run(web.records.sessions.edit, session.id, current(request).actor, **changes)
    except RecordsError as error:
        return redirect(f"/console/sessions/{session.id}", ("error", str(error)), request)
    return redirect(f"/console/sessions/{session.id}", ("ok", text("pages.saved")), request)


@console_page()
async def session_delete(request: Request) -> Response:
    form = await checked_form(request)
    session = await _session(request)
    web = services(request)
    reason = _field(form, "reason")
    if not reason:
        return redirect(f"/console/sessions/{session.id}", ("error", text("errors.reason_required")), request)
    try:
        await web.run(web.records.sessions.delete, session.id, current(request).actor, reason)
    except RecordsError as error:
        return redirect(f"/console/sessions/{session.id}", ("error", str(error)), request)
    year = local_date(session.started_at).year
    return redirect(f"/console/sessions?year={year}", ("ok", text("pages.session_deleted", id=session.id)), request)


routes = [
    Route("/console/units", units_page),
    Route("/console/units/import", units_import, methods=["POST"]),
    Route("/console/units/add", unit_add, methods=["POST"]),
    Route("/console/units/{code}", unit_page),
    Route("/console/units/{code}", unit_edit, methods=["POST"]),
    Route("/console/units/{code}/retire", unit_retire, methods=["POST"]),
    Route("/console/sessions", sessions_page),
    Route("/console/sessions/new", session_new),
    Route("/console/sessions/new", session_add, methods=["POST"]),
    Route("/console/sessions/{id:int}", session_page),
    Route("/console/sessions/{id:int}", session_edit, methods=["POST"]),
    Route("/console/sessions/{id:int}/delete", session_delete, methods=["POST"]),
]
