"""Webhook mode: a small HTTP endpoint (tornado, as python-telegram-bot's own) that Telegram posts to.

Only POSTs with ``Content-Type: application/json`` and the right secret header are read (403
otherwise); a body that is not JSON, or not an update, gets 400 (python-telegram-bot's own endpoint
answered 500, which makes Telegram retry it forever). Updates go to the Application's queue.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from http import HTTPStatus
from typing import Any

from telegram import Bot, Update
from tornado.httpserver import HTTPServer
from tornado.web import Application as TornadoApplication
from tornado.web import HTTPError, RequestHandler

logger = logging.getLogger("bot.telegram")


class _UpdateHandler(RequestHandler):
    def initialize(self, bot: Bot, queue: asyncio.Queue[object], secret: str) -> None:
        self.bot = bot
        self.queue = queue
        self.secret = secret

    async def post(self) -> None:
        if self.request.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise HTTPError(HTTPStatus.FORBIDDEN)
        token = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(token.encode(), self.secret.encode()):
            raise HTTPError(HTTPStatus.FORBIDDEN)
        try:
            data = json.loads(self.request.body.decode("utf-8"))
            update = Update.de_json(data, self.bot) if isinstance(data, dict) else None
        except (UnicodeDecodeError, ValueError, TypeError, KeyError) as error:
            logger.warning("webhook body refused: %s", type(error).__name__)
            raise HTTPError(HTTPStatus.BAD_REQUEST, reason="not an update") from None
        if update is None:
            raise HTTPError(HTTPStatus.BAD_REQUEST, reason="not an update")
        await self.queue.put(update)

    def log_exception(self, *args: Any) -> None:
        """Refusals are expected traffic: logged in one line by ``post`` and the access log, no trace."""
        error = args[1] if len(args) > 1 else None
        if not isinstance(error, HTTPError):
            super().log_exception(*args)


def start_server(
    bot: Bot, queue: asyncio.Queue[object], path: str, secret: str, listen: str, port: int
) -> HTTPServer:
    """Listen on ``listen:port`` for updates posted to ``/path``."""
    app = TornadoApplication(
        [(rf"/{path}/?", _UpdateHandler, {"bot": bot, "queue": queue, "secret": secret})]
    )
    server = HTTPServer(app)
    server.listen(port, listen)
    return server
