"""``pufa web`` (the web application) and ``pufa users`` (its console accounts)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from bot.cli.parsing import add_command
from bot.settings import Settings
from knowledge.errors import ConfigError
from knowledge.templates import sentences

text = sentences("web")


def add_parsers(subparsers: Any) -> None:
    """Register ``web`` and ``users`` on the ``pufa`` subparsers."""
    web = add_command(
        subparsers, "web", text("cli.web_help"), "pufa web", "pufa web --host 127.0.0.1 --port 8080"
    )
    web.add_argument("--host", help=text("cli.host_help"))
    web.add_argument("--port", type=int, help=text("cli.port_help"))
    web.add_argument("--dev", action="store_true", help=text("cli.dev_help"))
    web.set_defaults(func=cmd_web)

    users = add_command(
        subparsers,
        "users",
        text("cli.users_help"),
        "pufa users add 王检查 --role inspector",
        "echo '一个足够长的密码' | pufa users add admin --role admin --password-stdin",
    )
    commands = users.add_subparsers(dest="users_command", required=True, metavar="{add,list,link,telegram,disable}")
    added = add_command(commands, "add", text("cli.users_add_help"), "pufa users add 王检查 --role inspector")
    added.add_argument("name", metavar="NAME")
    added.add_argument("--role", choices=("admin", "inspector"), required=True, help=text("cli.role_help"))
    added.add_argument("--password-stdin", action="store_true", help=text("cli.password_stdin_help"))
    added.add_argument("--base-url", metavar="URL", help=text("cli.base_url_help"))
    added.set_defaults(func=cmd_users_add)
    add_command(commands, "list", text("cli.users_list_help"), "pufa users list").set_defaults(func=cmd_users_list)
    link = add_command(commands, "link", text("cli.users_link_help"), "pufa users link 王检查")
    link.add_argument("name", metavar="NAME")
    link.add_argument("--base-url", metavar="URL", help=text("cli.base_url_help"))
    link.set_defaults(func=cmd_users_link)
    telegram = add_command(commands, "telegram", text("cli.users_telegram_help"), "pufa users telegram 王检查 123456789")
    telegram.add_argument("name", metavar="NAME")
    telegram.add_argument("telegram_id", type=int, metavar="TELEGRAM_ID")
    telegram.set_defaults(func=cmd_users_telegram)
    disable = add_command(commands, "disable", text("cli.users_disable_help"), "pufa users disable 王检查")
    disable.add_argument("name", metavar="NAME")
    disable.set_defaults(func=cmd_users_disable)


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    """`pufa web`: serve the public chat and the console until Ctrl-C / SIGTERM."""
    import uvicorn

    from bot.logs import configure_logging
    from bot.web.app import create_app
    from bot.web.security import secret_key
    from bot.web.services import WebServices

    host = args.host or settings.web_host
    port = args.port or settings.web_port
    key = secret_key(settings, host, args.dev or settings.web_dev)
    configure_logging([*settings.secrets(), key])
    services = WebServices.open(settings)
    try:
        shown = f"[{host}]" if ":" in host else host
        print(text("cli.listening", host=shown, port=port), file=sys.stderr, flush=True)
        uvicorn.run(
            create_app(services, key),
            host=host,
            port=port,
            log_level=logging.WARNING,
            proxy_headers=True,
            server_header=False,
        )
    finally:
        services.close()
    return 0


def _records(settings: Settings) -> Any:
    from bot.records.services import Records

    return Records.open(settings)


def _base_url(args: argparse.Namespace, settings: Settings) -> str:
    if args.base_url:
        return str(args.base_url).rstrip("/")
    host = f"[{settings.web_host}]" if ":" in settings.web_host else settings.web_host
    return f"http://{host}:{settings.web_port}"


def _find(accounts: Any, name: str) -> Any:
    found = next((a for a in accounts.list() if a.name == name), None)
    if found is None:
        raise ConfigError(text("errors.account_missing", name=name))
    return found


def _print_link(args: argparse.Namespace, settings: Settings, token: str) -> None:
    from bot.records.accounts import SETUP_LINK_DAYS

    url = f"{_base_url(args, settings)}/console/setup/{token}"
    print(text("cli.setup_link", days=SETUP_LINK_DAYS, url=url))


def cmd_users_add(args: argparse.Namespace, settings: Settings) -> int:
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ConfigError(text("cli.password_empty"))
    records = _records(settings)
    accounts = records.accounts
    try:
        account, token = accounts.add(args.name, args.role, password)
    finally:
        records.close()
    print(text("cli.added", name=account.name, role=account.role))
    if token:
        _print_link(args, settings, token)
    return 0


def cmd_users_list(args: argparse.Namespace, settings: Settings) -> int:
    records = _records(settings)
    accounts = records.accounts
    try:
        listed = accounts.list()
    finally:
        records.close()
    for a in listed:
        state = "停用" if not a.active else ("正常" if a.has_password else "待设置密码")
        print(text("cli.account_line", id=a.id, name=a.name, role=a.role, state=state, telegram=a.telegram_id or "-"))
    return 0


def cmd_users_link(args: argparse.Namespace, settings: Settings) -> int:
    records = _records(settings)
    accounts = records.accounts
    try:
        token = accounts.new_setup_link(_find(accounts, args.name).id)
    finally:
        records.close()
    _print_link(args, settings, token)
    return 0


def cmd_users_telegram(args: argparse.Namespace, settings: Settings) -> int:
    records = _records(settings)
    accounts = records.accounts
    try:
        account = accounts.link_telegram(_find(accounts, args.name).id, args.telegram_id)
    finally:
        records.close()
    print(text("cli.linked", name=account.name, telegram_id=args.telegram_id))
    return 0


def cmd_users_disable(args: argparse.Namespace, settings: Settings) -> int:
    records = _records(settings)
    accounts = records.accounts
    try:
        account = accounts.disable(_find(accounts, args.name).id)
    finally:
        records.close()
    print(text("cli.disabled", name=account.name))
    return 0
