"""`pufa serve` as a real process against a fake Bot API server (tests and benchmarks)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.settings import Settings
from tests.support.fake_telegram import TOKEN, FakeTelegram

REPO = Path(__file__).resolve().parents[2]


async def start_serve(settings: Settings, telegram: FakeTelegram, **env: str) -> asyncio.subprocess.Process:
    """``python -m bot.cli.main serve`` with ``settings``' data dir and database, polling ``telegram``."""
    variables = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "PUFA_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.effective_database_url,
        **env,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli.main",
        "serve",
        cwd=REPO,
        env=variables,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def polling(telegram: FakeTelegram, timeout: float = 240) -> None:
    """Wait until a process polls ``telegram`` (it has loaded the index and started)."""
    await telegram.wait_for(lambda: any(c.method == "getUpdates" for c in telegram.calls), timeout=timeout)
