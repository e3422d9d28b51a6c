"""Signing in and out of the console, and the one-time link that sets an account's password."""

from __future__ import annotations

import math

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.records.errors import RecordsError
from bot.web.auth import client_address, services, signed_in
from bot.web.pages import page, redirect
from bot.web.security import LoginThrottle, checked_form, csrf_token, text


def _next(raw: object) -> str:
    """Where to go after signing in: a console path only (never another site)."""
    target = str(raw or "")
    return target if target.startswith("/console/") and not target.startswith("//") else "/console/"


def throttle(request: Request) -> LoginThrottle:
    limiter: LoginThrottle = request.app.state.login_throttle
    return limiter


async def login_page(request: Request) -> Response:
    if await signed_in(request) is not None:
        return redirect(_next(request.query_params.get("next")))
    return page(request, "console/login.html", next=_next(request.query_params.get("next")), name="")


async def login(request: Request) -> Response:
    form = await checked_form(request)
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    target = _next(form.get("next"))
    address = client_address(request)
    wait = throttle(request).wait_s(name, address)
    if wait:
        error = text("errors.login_throttled", minutes=math.ceil(wait / 60))
        return page(request, "console/login.html", 429, next=target, name=name, error=error)
    web = services(request)
    account = await web.run(web.records.accounts.authenticate, name, password)
    if account is None:
        throttle(request).failed(name, address)
        error = text("errors.login_failed")
        return page(request, "console/login.html", 401, next=target, name=name, error=error)
    throttle(request).succeeded(name)
    visitor = request.session.get("visitor")
    request.session.clear()  # a fresh session (and CSRF token) for the signed-in account
    if visitor:
        request.session["visitor"] = visitor
    request.session["account"] = account.id
    csrf_token(request)
    return redirect(target)


async def logout(request: Request) -> Response:
    await checked_form(request)
    request.session.clear()
    return redirect("/console/login")


async def setup_page(request: Request) -> Response:
    token = request.path_params["token"]
    web = services(request)
    account = await web.run(web.records.accounts.setup_account, token)
    return page(request, "console/setup.html", 200 if account else 404, target=account, error="")


async def setup(request: Request) -> Response:
    form = await checked_form(request)
    token = request.path_params["token"]
    web = services(request)
    account = await web.run(web.records.accounts.setup_account, token)
    password, again = str(form.get("password", "")), str(form.get("again", ""))
    if account is None:
        return page(request, "console/setup.html", 404, target=None, error="")
    if password != again:
        return page(request, "console/setup.html", 400, target=account, error=text("errors.passwords_differ"))
    try:
        await web.run(web.records.accounts.set_password, token, password)
    except RecordsError as error:
        return page(request, "console/setup.html", 400, target=account, error=str(error))
    return redirect("/console/login", ("ok", text("pages.password_set")), request)


routes = [
    Route("/console/login", login_page),
    Route("/console/login", login, methods=["POST"]),
    Route("/console/logout", logout, methods=["POST"]),
    Route("/console/setup/{token}", setup_page),
    Route("/console/setup/{token}", setup, methods=["POST"]),
]
