"""Bot benchmark: 500 questions from 100 users through the real Application and the fake Bot API.

Uses the index in PUFA_DATA_DIR (run `pufa ingest` first) and a throw-away SQLite outreach log. Checks
that every question gets exactly one answer (none lost, none duplicated, no error message), reports
throughput and time-to-reply percentiles, and fails below the floor of 20 answers/s.

    python bench/bench_bot.py [--questions 500] [--users 100] [--rate 0] [--floor 20] [--out bench-results/bot.json]

With ``--rate 0`` (default) all questions arrive at once, so time-to-reply is mostly queueing; a
``--rate`` below the throughput shows the time-to-reply of a bot that keeps up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.floors import write_result  # noqa: E402
from bot.records.db import make_engine  # noqa: E402
from bot.records.schema import upgrade  # noqa: E402
from bot.records.services import Records  # noqa: E402
from bot.render import text  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.telegram.limits import TelegramRateLimiter  # noqa: E402
from knowledge.assistant import Assistant  # noqa: E402
from tests.support.fake_telegram import TOKEN  # noqa: E402
from tests.support.telegram_fixtures import running_bot  # noqa: E402

DEV_SET = REPO.parent / "shared" / "eval" / "dev.jsonl"
FALLBACK = ["实验动物可以混养吗？", "采集人类遗传资源需要审批吗？", "实验动物管理条例第十一条"]


def questions(count: int) -> list[str]:
    pool = FALLBACK
    if DEV_SET.is_file():
        pool = [
            json.loads(line)["question"] for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line
        ]
    return [pool[i % len(pool)] for i in range(count)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def bench(
    settings: Settings, assistant: Assistant, store: Records, n: int, users: int, rate: float
) -> dict:
    """Push ``n`` questions (all at once, or ``rate`` per second) and measure the replies."""
    asked = questions(n)
    async with running_bot(settings, assistant, store, limiter=TelegramRateLimiter()) as tg:
        pushed: dict[int, float] = {}
        started = time.monotonic()
        for i, question in enumerate(asked):
            user = 10_000 + i % users
            message = await tg.push_text(user, question)
            pushed[message["message_id"]] = tg.pushed_at[message["update_id"]]
            if rate:
                await asyncio.sleep(max(0.0, started + (i + 1) / rate - time.monotonic()))

        def firsts() -> list:
            return [c for c in tg.sent("sendMessage") if c.params.get("reply_parameters")]

        await tg.wait_for(lambda: len(firsts()) >= n, timeout=600)
        finished = time.monotonic()
        await tg.settle()
        replies: dict[int, list[float]] = {}
        for call in firsts():
            replies.setdefault(call.params["reply_parameters"]["message_id"], []).append(call.at)
        errors = sum(1 for c in tg.sent("sendMessage") if c.params["_result"]["text"] == text("bot.error"))
        lost = [m for m in pushed if m not in replies]
        duplicated = [m for m, times in replies.items() if len(times) > 1]
        latencies = [min(replies[m]) - t for m, t in pushed.items() if m in replies]
        messages = len(tg.sent("sendMessage"))
    elapsed = finished - started
    return {
        "questions": n,
        "users": users,
        "arrival_per_s": rate or "all at once",
        "answered": len(replies),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "error_messages": errors,
        "messages_sent": messages,
        "seconds": round(elapsed, 2),
        "answers_per_s": round(len(replies) / elapsed, 2),
        "p50_s": round(statistics.median(latencies), 3),
        "p95_s": round(percentile(latencies, 0.95), 3),
        "max_s": round(max(latencies), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument(
        "--rate", type=float, default=0.0, help="questions pushed per second (0: all at once)"
    )
    parser.add_argument("--floor", type=float, default=20.0, help="minimum answers per second")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results" / "bot.json")
    args = parser.parse_args()
    base = Settings.from_env()
    assistant = Assistant.open(base)
    with tempfile.TemporaryDirectory(prefix="pufa-bench-bot-") as tmp:
        settings = base.with_changes(
            telegram_bot_token=TOKEN, database_url=f"sqlite:///{Path(tmp) / 'log.sqlite3'}"
        )
        engine = make_engine(settings.effective_database_url)
        upgrade(engine)
        engine.dispose()
        store = Records.open(settings)
        try:
            result = asyncio.run(bench(settings, assistant, store, args.questions, args.users, args.rate))
        finally:
            store.close()
    result["floor_answers_per_s"] = args.floor
    ok = (
        result["answered"] == args.questions
        and not result["lost"]
        and not result["duplicated"]
        and not result["error_messages"]
        and (args.rate > 0 or result["answers_per_s"] >= args.floor)  # the floor needs a full queue
    )
    result["ok"] = ok
    return write_result(result, args.out, ok)


if __name__ == "__main__":
    raise SystemExit(main())
