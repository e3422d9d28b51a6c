"""The `pufa chat` and `pufa serve` subcommands (wired into bot/cli.py)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.parsing import add_command
from bot.render import text
from bot.settings import Settings
from knowledge.errors import ConfigError
from knowledge.templates import text as template_text

if TYPE_CHECKING:
    from bot.records.services import Records
    from knowledge.assistant import Assistant


def add_parsers(subparsers: Any) -> None:
    """Register ``chat`` and ``serve`` on the ``pufa`` subparsers; each takes ``(args, settings) -> int``."""
    chat = add_command(subparsers, "chat", text("cli.chat_help"), "pufa chat", "make run")
    chat.set_defaults(func=cmd_chat)
    serve = add_command(
        subparsers,
        "serve",
        text("cli.serve_help"),
        "pufa serve",
        "pufa serve --webhook https://bot.example.cn/tg",
    )
    serve.add_argument("--webhook", metavar="URL", help=text("cli.webhook_help"))
    serve.add_argument("--webhook-secret", metavar="SECRET", help=text("cli.webhook_secret_help"))
    serve.add_argument(
        "--webhook-secret-file",
        metavar="PATH",
        type=Path,
        help=template_text("robust", "cli.webhook_secret_file_help"),
    )
    serve.add_argument("--listen", default="127.0.0.1", help=text("cli.listen_help"))
    serve.add_argument("--port", type=int, default=8443, help=text("cli.port_help"))
    serve.set_defaults(func=cmd_serve)


def _open(settings: Settings) -> tuple[Assistant, Records]:
    """The answer function and the outreach log (PufaError / RecordsError carry operator messages)."""
    from bot.records.services import Records
    from knowledge.assistant import Assistant

    assistant = Assistant.open(settings)
    return assistant, Records.open(settings)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """`pufa chat`: the conversation on stdin/stdout."""
    from bot.chat import run_chat
    from bot.logs import configure_logging

    configure_logging(settings.secrets(), logging.WARNING)
    assistant, store = _open(settings)
    try:
        return run_chat(assistant, store, sys.stdin, sys.stdout)
    finally:
        store.close()


def _webhook_secret(args: argparse.Namespace) -> str:
    """The secret from ``--webhook-secret-file``, else ``--webhook-secret``, else ``""``."""
    if args.webhook_secret_file:
        return args.webhook_secret_file.read_text(encoding="utf-8").strip()
    return args.webhook_secret or ""


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """`pufa serve`: polling by default, webhook mode with ``--webhook URL``."""
    from bot.logs import configure_logging
    from bot.telegram.app import Webhook
    from bot.telegram.serve import check_settings, serve_until_signal

    webhook = None
    if args.webhook:
        try:
            secret = (
                _webhook_secret(args)
                or settings.telegram_webhook_secret.get_secret_value()
                or secrets.token_urlsafe(32)
            )
        except OSError as exc:
            path, reason = args.webhook_secret_file, exc.strerror or exc
            raise ConfigError(
                template_text("robust", "cli.webhook_secret_file_unreadable", path=path, reason=reason)
            ) from None
        webhook = Webhook(args.webhook, secret, args.listen, args.port)
    check_settings(settings, webhook)
    if webhook is not None and args.webhook_secret and not args.webhook_secret_file:
        print(template_text("robust", "cli.webhook_secret_argv"), file=sys.stderr)  # anyone can read argv
    configure_logging([*settings.secrets(), webhook.secret if webhook else ""])
    assistant, store = _open(settings)
    try:
        return asyncio.run(serve_until_signal(settings, assistant, store, webhook))
    finally:
        store.close()
