"""The Starlette application: routes, the signed session cookie, error pages and server timing."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from bot.web.pages import STATIC, page
from bot.web.routes import console, login, public, records, reports, training
from bot.web.routes.public import PublicChat
from bot.web.security import LoginThrottle, text
from bot.web.services import WebServices
from knowledge.errors import PufaError

log = logging.getLogger("bot.web")
SESSION_COOKIE = "pufa_session"
SESSION_HOURS = 12
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


class ServerTiming:
    """Adds ``Server-Timing: app;dur=…`` (and ``answer;dur=…`` when a question was answered) and the
    security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        scope.setdefault("state", {})

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                total = (time.perf_counter() - started) * 1000
                timing = f"app;dur={total:.2f}"
                answer = scope["state"].get("answer_ms")
                if answer is not None:
                    timing += f", answer;dur={answer:.2f}"
                headers = list(message.get("headers", []))
                headers += [
                    (b"server-timing", timing.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, timed_send)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else text("errors.not_found")
    return page(request, "error.html", exc.status_code, message=detail)


async def refused(request: Request, exc: Exception) -> Response:
    """A PufaError that a page did not handle itself: its Chinese message, never a traceback."""
    return page(request, "error.html", 400, message=str(exc))


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("page %s failed: %s", request.url.path, type(exc).__name__, exc_info=exc)
    return page(request, "error.html", 500, message=text("errors.server_error"))


def create_app(services: WebServices, secret_key: str) -> Starlette:
    """The web application over ``services``; cookies signed with ``secret_key``."""
    settings = services.settings
    app = Starlette(
        routes=[
            *public.routes,
            *login.routes,
            *console.routes,
            *records.routes,
            *reports.routes,
            *training.routes,
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[
            Middleware(ServerTiming),
            Middleware(
                SessionMiddleware,
                secret_key=secret_key,
                session_cookie=SESSION_COOKIE,
                max_age=SESSION_HOURS * 3600,
                same_site="lax",
                https_only=settings.web_https,
            ),
        ],
        exception_handlers={HTTPException: http_error, PufaError: refused, 500: server_error},
    )
    app.state.services = services
    app.state.public_chat = PublicChat.create(settings.questions_per_minute)
    app.state.login_throttle = LoginThrottle()
    app.state.pending_imports = {}
    return app
