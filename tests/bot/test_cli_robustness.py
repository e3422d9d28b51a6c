"""The CLI under an early-closing pipe, and the webhook secret kept out of the process list."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from bot.settings import Settings
from knowledge.templates import text as template_text
from tests.support.fake_telegram import TOKEN, FakeTelegram
from tests.support.telegram_fixtures import run

REPO = Path(__file__).resolve().parents[2]
SECRET = "file-Secret_0123456789"


def test_ask_piped_into_head_ends_without_a_traceback(settings: Settings) -> None:
    """`pufa ask --jsonl … | head -1`: the reader leaves after one line; pufa stops quietly."""
    questions = "".join(json.dumps({"id": i, "question": "实验动物可以混养吗？"}) + "\n" for i in range(40))
    env = {**os.environ, "PUFA_DATA_DIR": str(settings.data_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "ask", "--jsonl"],
        cwd=REPO,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin and process.stdout and process.stderr
    process.stdin.write(questions.encode())
    process.stdin.close()
    first = process.stdout.readline()
    process.stdout.close()  # what `head -1` does
    assert json.loads(first)["id"] == 0
    assert process.wait(timeout=240) == 0
    stderr = process.stderr.read().decode()
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_webhook_secret_from_a_file_never_appears_in_the_process_list(
    bot_settings: Settings, tmp_path: Path
) -> None:
    secret_file = tmp_path / "webhook-secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")

    async def scenario() -> None:
        async with FakeTelegram() as tg:
            env = {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": tg.base_url,
                "PUFA_DATA_DIR": str(bot_settings.data_dir),
                "DATABASE_URL": bot_settings.effective_database_url,
            }
            argv = ["--webhook", "https://bot.example.com/tg/hook", "--webhook-secret-file", str(secret_file)]
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli.main",
                "serve",
                *argv,
                "--port",
                "0",
                cwd=REPO,
                env=env,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                await tg.wait_for(lambda: tg.webhook.get("secret_token"), timeout=240)
                assert tg.webhook["secret_token"] == SECRET
                command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes()
                assert SECRET.encode() not in command_line
            finally:
                process.send_signal(signal.SIGTERM)
                await process.wait()
            assert process.stderr is not None
            assert (
                template_text("robust", "cli.webhook_secret_argv")
                not in (await process.stderr.read()).decode()
            )

    run(scenario)


def test_webhook_secret_on_the_command_line_warns(bot_settings: Settings) -> None:
    with socket.socket() as sock:  # a port nothing listens on: the start-up fails fast after the warning
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{closed}/bot",
        "PUFA_DATA_DIR": str(bot_settings.data_dir),
        "DATABASE_URL": bot_settings.effective_database_url,
    }
    argv = ["--webhook", "https://x.example.com/h", "--webhook-secret", SECRET, "--port", "0"]
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "serve", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 2
    assert template_text("robust", "cli.webhook_secret_argv") in result.stderr
