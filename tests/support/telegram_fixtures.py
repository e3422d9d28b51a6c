"""Fixtures and helpers for the Telegram and terminal tests: a fresh outreach log, the running bot.

Loaded as a plugin by tests/conftest.py: the fixtures ``bot_settings`` and ``bot_store`` build on the
``settings`` and ``assistant`` fixtures there.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.records.db import make_engine
from bot.records.schema import upgrade
from bot.records.services import Records
from bot.settings import Settings
from bot.telegram.app import Webhook, build_application, run_until_stopped
from bot.telegram.limits import TelegramRateLimiter
from tests.support.fake_telegram import TOKEN, FakeTelegram

ADMIN_ID = 7001
INSPECTOR_ID = 7002
LAB_ID = 7003
OTHER_ID = 7004
GROUP_ID = -100777


@pytest.fixture(name="bot_settings")
def fixture_bot_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The lead's settings with an admin, the fake token, and a fresh migrated SQLite log of its own.

    The data dir is a copy of the session index, so spool and inbox files stay with this test.
    """
    data_dir = tmp_path / "bot-data"
    shutil.copytree(settings.data_dir / "index", data_dir / "index")
    value = settings.with_changes(
        data_dir=data_dir,
        admin_ids=frozenset({ADMIN_ID}),
        telegram_bot_token=TOKEN,
        database_url=f"sqlite:///{tmp_path / 'bot-log.sqlite3'}",
    )
    engine = make_engine(value.effective_database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return value


@pytest.fixture(name="bot_store")
def fixture_bot_store(bot_settings: Settings) -> Iterator[Records]:
    """The outreach log of ``bot_settings``."""
    store = Records.open(bot_settings)
    yield store
    store.close()


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    """Run an async test scenario to completion."""
    return asyncio.run(scenario())


def fast_limiter() -> TelegramRateLimiter:
    """Telegram's limits, but with no per-chat pacing so tests do not wait between parts."""
    return TelegramRateLimiter(chat_burst=1000, chat_period_s=1, group_per_minute=100000)


@asynccontextmanager
async def running_bot(
    settings: Settings,
    assistant: Any,
    store: Records,
    webhook: Webhook | None = None,
    limiter: TelegramRateLimiter | None = None,
    **overrides: Any,
) -> AsyncIterator[FakeTelegram]:
    """The real Application polling (or on a webhook) against a fresh fake Bot API server."""
    async with FakeTelegram() as telegram:
        bot_settings = settings.with_changes(telegram_api_base_url=telegram.base_url, **overrides)
        app = build_application(bot_settings, assistant, store, limiter or fast_limiter())
        stop, ready = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(run_until_stopped(app, stop, webhook, poll_timeout=1, ready=ready))
        waiting = asyncio.create_task(ready.wait())
        await asyncio.wait({task, waiting}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if task.done():
            task.result()  # re-raise a start-up failure
        assert ready.is_set(), "the bot did not start within 60 s"
        telegram.application = app  # type: ignore[attr-defined]  # tests look at its update processor
        try:
            yield telegram
        finally:
            stop.set()
            await task


def shown(telegram: FakeTelegram, chat_id: int) -> list[str]:
    """What the chat displays, in order (the fake server stores the parsed text)."""
    return [call.params["_result"]["text"] for call in telegram.sent("sendMessage", chat_id)]


async def command(telegram: FakeTelegram, user_id: int, line: str) -> list[str]:
    """Send ``line`` and return what the bot replied (waits for at least one new message)."""
    before = len(telegram.sent("sendMessage", user_id))
    await telegram.push_text(user_id, line)
    await telegram.wait_sent(before + 1, chat_id=user_id)
    await telegram.settle(2)
    return shown(telegram, user_id)[before:]
