"""The console's home page and the accounts page (admin)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.records.calendar import REPORT_TZ
from bot.records.errors import RecordsError
from bot.web.auth import console_page, current, services
from bot.web.pages import page, redirect
from bot.web.security import checked_form, text


@console_page()
async def home(request: Request) -> Response:
    web = services(request)
    year = web.records.database.now().astimezone(REPORT_TZ).year
    figures = await web.run(web.records.reports.stats, year, None, None, web.titles)
    return page(request, "console/home.html", year=year, figures=figures)


def setup_url(request: Request, token: str) -> str:
    """The one-time link as the admin's browser reached this server."""
    return f"{request.base_url}console/setup/{token}"


@console_page(admin=True)
async def accounts_page(request: Request) -> Response:
    web = services(request)
    return page(
        request,
        "console/accounts.html",
        accounts=await web.run(web.records.accounts.list),
        link=request.session.pop("setup_link", ""),
    )


@console_page(admin=True)
async def account_action(request: Request) -> Response:
    form = await checked_form(request)
    web = services(request)
    action = str(form.get("action", ""))
    try:
        if action == "add":
            account, token = await web.run(web.records.accounts.add, str(form.get("name", "")), str(form.get("role", "")))
            assert token is not None
            request.session["setup_link"] = setup_url(request, token)
            message = text("pages.account_added", name=account.name)
        else:
            account_id = int(str(form.get("account", "0")) or 0)
            if action == "link":
                token = await web.run(web.records.accounts.new_setup_link, account_id)
                request.session["setup_link"] = setup_url(request, token)
                message = text("pages.link_made")
            elif action == "telegram":
                raw = str(form.get("telegram_id", "")).strip()
                if raw and not raw.lstrip("-").isdigit():
                    raise RecordsError(text("errors.telegram_id_invalid", value=raw))
                await web.run(web.records.accounts.link_telegram, account_id, int(raw) if raw else None)
                message = text("pages.saved")
            elif action == "disable":
                if account_id == current(request).id:
                    raise RecordsError(text("errors.disable_self"))
                await web.run(web.records.accounts.disable, account_id)
                message = text("pages.saved")
            else:
                raise RecordsError(text("errors.not_found"))
    except RecordsError as error:
        return redirect("/console/accounts", ("error", str(error)), request)
    return redirect("/console/accounts", ("ok", message), request)


routes = [
    Route("/console/", home),
    Route("/console/accounts", accounts_page),
    Route("/console/accounts", account_action, methods=["POST"]),
]
