"""`pufa serve`: configuration errors, unreachable API, rejected token, SIGTERM, webhook mode."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket

import aiohttp
import pytest

from bot.cli.main import run as run_command
from bot.cli.surfaces import add_parsers
from bot.records.services import Records
from bot.render import text
from bot.settings import Settings
from bot.telegram.app import Webhook
from bot.telegram.serve import serve_until_signal
from knowledge.errors import ConfigError, PufaError
from tests.support.fake_telegram import TOKEN, FakeTelegram
from tests.support.telegram_fixtures import LAB_ID, run, running_bot


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_through_cli(settings: Settings, assistant: object, store: Records) -> int:
    """``serve_until_signal`` behind the CLI's one error path."""
    command = argparse.Namespace(func=lambda _args, s: asyncio.run(serve_until_signal(s, assistant, store)))  # type: ignore[arg-type]
    return run_command(command, settings)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pufa")
    add_parsers(parser.add_subparsers())
    return parser.parse_args(["serve", *argv])


@pytest.mark.parametrize(
    ("overrides", "argv", "key"),
    [
        ({"telegram_bot_token": ""}, [], "cli.token_missing"),
        ({"telegram_bot_token": "not-a-token"}, [], "cli.token_malformed"),
        ({"telegram_bot_token": "123:short"}, [], "cli.token_malformed"),
        ({"telegram_proxy": "proxy.example.com:8080"}, [], "cli.proxy_invalid"),
        ({"telegram_proxy": "socks5://:1080"}, [], "cli.proxy_invalid"),
        ({"telegram_proxy": "http://proxy:notaport"}, [], "cli.proxy_invalid"),
        ({"telegram_api_base_url": "ftp://example.com/bot"}, [], "cli.base_url_invalid"),
        ({}, ["--webhook", "example.com/hook"], "cli.webhook_invalid"),
        (
            {},
            ["--webhook", "https://example.com/hook", "--webhook-secret", "has space"],
            "cli.webhook_secret_invalid",
        ),
    ],
)
def test_configuration_errors_exit_2_with_one_line(
    overrides: dict, argv: list[str], key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(telegram_bot_token=TOKEN).with_changes(**overrides)
    assert run_command(parse(*argv), settings) == 2
    err = capsys.readouterr().err
    assert err == f"错误：{text(key)}\n"
    assert TOKEN not in err


def test_unreachable_api_exits_2(
    bot_settings: Settings, assistant: object, bot_store: Records, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = bot_settings.with_changes(telegram_api_base_url=f"http://127.0.0.1:{free_port()}/bot")
    assert serve_through_cli(closed, assistant, bot_store) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("错误：" + text("cli.api_unreachable", url="", reason="")[:12])
    assert "Traceback" not in err and TOKEN not in err


def test_rejected_token_exits_2(
    bot_settings: Settings, assistant: object, bot_store: Records, capsys: pytest.CaptureFixture[str]
) -> None:
    async def scenario() -> None:
        async with FakeTelegram(token="987654321:ZZZotherTOKENotherTOKENotherTOKEN99") as tg:
            settings = bot_settings.with_changes(telegram_api_base_url=tg.base_url)
            await serve_until_signal(settings, assistant, bot_store)  # type: ignore[arg-type]

    with pytest.raises(ConfigError) as raised:
        run(scenario)
    assert str(raised.value) == text("cli.token_rejected") and raised.value.exit_code == 2


def test_sigterm_shuts_down_cleanly(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    async def scenario() -> int:
        async with FakeTelegram() as tg:
            settings = bot_settings.with_changes(telegram_api_base_url=tg.base_url)
            serving = asyncio.create_task(serve_until_signal(settings, assistant, bot_store))  # type: ignore[arg-type]
            await tg.wait_for(lambda: any(c.method == "getUpdates" for c in tg.calls))
            await tg.push_text(LAB_ID, "/start")
            await tg.wait_sent(1, chat_id=LAB_ID)
            os.kill(os.getpid(), signal.SIGTERM)
            return await serving

    assert run(scenario) == 0


def test_webhook_mode_checks_the_secret(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    port = free_port()
    hook = Webhook("https://bot.example.com/tg/hook", "s3cr3t-Token_1", "127.0.0.1", port)
    local = f"http://127.0.0.1:{port}/tg/hook"  # where the reverse proxy forwards to

    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store, webhook=hook) as tg:
            assert tg.webhook["url"] == hook.url
            assert tg.webhook["secret_token"] == hook.secret
            update = {"update_id": 501, "message": tg.message(LAB_ID, text="/start")}
            body = json.dumps(update)
            async with aiohttp.ClientSession() as http:
                wrong = {"X-Telegram-Bot-Api-Secret-Token": "nope", "Content-Type": "application/json"}
                async with http.post(local, data=body, headers=wrong) as response:
                    assert response.status == 403
                right = {"X-Telegram-Bot-Api-Secret-Token": hook.secret, "Content-Type": "application/json"}
                for malformed in (b"{not json", b"\xff\xfe", b"[1, 2]", b'{"no_update_id": 1}'):
                    async with http.post(local, data=malformed, headers=right) as response:
                        assert response.status == 400, malformed  # the probe: 500
                async with http.post(local, data=body, headers=right) as response:
                    assert response.status == 200
            (reply,) = await tg.wait_sent(1, chat_id=LAB_ID)
            assert text("bot.notice") in reply.params["_result"]["text"]
            assert not any(c.method == "getUpdates" for c in tg.calls)

    run(scenario)


def test_webhook_refused_by_telegram_exits_2(
    bot_settings: Settings, assistant: object, bot_store: Records, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    hook = Webhook(f"http://127.0.0.1:{port}/hook", "secret", "127.0.0.1", port)  # the cloud API wants HTTPS

    async def scenario() -> None:
        async with FakeTelegram() as tg:
            settings = bot_settings.with_changes(telegram_api_base_url=tg.base_url)
            await serve_until_signal(settings, assistant, bot_store, hook)  # type: ignore[arg-type]

    with pytest.raises(PufaError) as raised:
        run(scenario)
    message = str(raised.value)
    assert "\n" not in message and "https" in message.lower() and raised.value.exit_code == 2
