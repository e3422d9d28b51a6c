"""Who is signed in: console pages need an account (inspector or admin); some need an admin."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.records.accounts import Account
from bot.web.pages import login_url, redirect
from bot.web.security import text
from bot.web.services import WebServices

Endpoint = Callable[[Request], Awaitable[Response]]


def services(request: Request) -> WebServices:
    web: WebServices = request.app.state.services
    return web


async def signed_in(request: Request) -> Account | None:
    """The active account of this session, else None (a disabled account is signed out at once)."""
    account_id = request.session.get("account")
    if not isinstance(account_id, int):
        return None
    account = await services(request).run(services(request).records.accounts.get, account_id)
    if account is None:
        request.session.pop("account", None)
    return account


def console_page(*, admin: bool = False) -> Callable[[Endpoint], Endpoint]:
    """An endpoint for signed-in accounts only (anonymous: to the login page; not admin: 403)."""

    def wrap(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            account = await signed_in(request)
            if account is None:
                if request.method != "GET":
                    raise HTTPException(401, text("errors.login_required"))
                return redirect(login_url(request))
            if admin and not account.is_admin:
                raise HTTPException(403, text("errors.forbidden"))
            request.state.account = account
            return await endpoint(request)

        return guarded

    return wrap


def current(request: Request) -> Account:
    """The account of a ``console_page`` request."""
    account: Account = request.state.account
    return account


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
