"""`pufa serve`: check settings, run the bot until SIGTERM/SIGINT, report start-up failures in one line."""

from __future__ import annotations

import asyncio
import re
import signal
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError

from bot.render import text
from bot.settings import Settings
from bot.telegram.app import Webhook, build_application, run_until_stopped
from knowledge.errors import ConfigError, PufaError

if TYPE_CHECKING:
    from bot.records.services import Records
    from knowledge.assistant import Assistant

TOKEN_PATTERN = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,64}")
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h", "socks4")


def _valid_url(url: str, schemes: Iterable[str]) -> bool:
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme in schemes and bool(parts.hostname)


def check_settings(settings: Settings, webhook: Webhook | None = None) -> None:
    """Raise ConfigError for a missing or malformed token, a bad API URL, proxy or webhook."""
    token = settings.telegram_bot_token.get_secret_value().strip()
    if not token:
        raise ConfigError(text("cli.token_missing"))
    if not TOKEN_PATTERN.fullmatch(token):
        raise ConfigError(text("cli.token_malformed"))
    if not _valid_url(settings.telegram_api_base_url.replace("{token}", ""), ("http", "https")):
        raise ConfigError(text("cli.base_url_invalid"))
    if settings.telegram_proxy and not _valid_url(settings.telegram_proxy, PROXY_SCHEMES):
        raise ConfigError(text("cli.proxy_invalid"))
    if webhook is not None:
        if not _valid_url(webhook.url, ("http", "https")):
            raise ConfigError(text("cli.webhook_invalid"))
        if not SECRET_PATTERN.fullmatch(webhook.secret):
            raise ConfigError(text("cli.webhook_secret_invalid"))


def _reason(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


async def serve_until_signal(
    settings: Settings, assistant: Assistant, store: Records, webhook: Webhook | None = None
) -> int:
    """Run the bot until SIGTERM/SIGINT; a start-up failure raises PufaError with its one-line reason."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        app = build_application(settings, assistant, store)
        await run_until_stopped(app, stop, webhook)
    except InvalidToken:
        raise ConfigError(text("cli.token_rejected")) from None
    except NetworkError as exc:  # includes TimedOut; a Bad Request (e.g. the webhook URL refused) is not
        if isinstance(exc, BadRequest):
            raise PufaError(text("cli.startup_failed", reason=_reason(exc))) from None
        raise PufaError(text("cli.api_unreachable", url=_public_url(settings), reason=_reason(exc))) from None
    except (TelegramError, ValueError, RuntimeError, OSError) as exc:
        message = _reason(exc)
        for secret in settings.secrets():
            message = message.replace(secret, "***")
        raise PufaError(text("cli.startup_failed", reason=message)) from None
    return 0


def _public_url(settings: Settings) -> str:
    """The API URL without anything secret in it (scheme and host only)."""
    parts = urlsplit(settings.telegram_api_base_url)
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
