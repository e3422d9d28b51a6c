"""`pufa chat` killed with SIGKILL right after answers: every answer shown was logged first."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.records.services import Records
from bot.render import text
from bot.settings import Settings

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = ["实验动物的饲养室需要分开吗？", "采集人类遗传资源需要审批吗？", "实验动物可以混养吗？"]


def test_turns_are_durable_before_the_answer_is_printed(
    bot_settings: Settings, bot_store: Records
) -> None:
    env = {
        **os.environ,
        "PUFA_DATA_DIR": str(bot_settings.data_dir),
        "DATABASE_URL": bot_settings.effective_database_url,
        "USER": "crash",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "chat"],
        cwd=REPO,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("".join(q + "\n" for q in QUESTIONS))
    process.stdin.flush()
    seen = 0
    try:
        for line in process.stdout:
            seen += line.startswith(text("render.conclusion"))
            if seen == len(QUESTIONS):
                process.send_signal(signal.SIGKILL)  # the moment the last answer starts to show
                break
    finally:
        process.kill()
        process.wait()
    assert seen == len(QUESTIONS)
    logged = [item.question for item in bot_store.people.history("term:crash")]
    spooled = [e["turn"]["question"] for e in bot_store.turns.spool.entries() if e["type"] == "turn"]
    assert sorted(logged + spooled) == sorted(QUESTIONS)
