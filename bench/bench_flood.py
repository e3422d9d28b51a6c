"""Flood benchmark: one user sends 1,000 messages (questions, or a command) while 20 others each ask one.

Through the real Application and the fake Bot API with Telegram's real pacing (1 message/s per private
chat). Reports the bystanders' time-to-reply (p50, p95, max), how many "too fast" notices the flooder
got (one per window is the rule) and how many of the flood's updates were dropped before taking a slot.
Fails when a bystander is lost or the p95 is above the ceiling.

    python bench/bench_flood.py [--flood 1000] [--bystanders 20] [--ceiling 10] [--out bench-results/flood.json]
    python bench/bench_flood.py --command /start --ceiling 2 --out bench-results/command-flood.json
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_bot import percentile, questions  # noqa: E402
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

FLOODER = 9_999


async def bench(
    settings: Settings, assistant: Assistant, store: Records, flood: int, bystanders: int, command: str
) -> dict:
    asked = questions(bystanders)
    every = max(1, flood // bystanders)
    async with running_bot(settings, assistant, store, limiter=TelegramRateLimiter()) as tg:
        pushed: dict[int, float] = {}
        for i in range(flood):
            await tg.push_text(FLOODER, command or f"{asked[0]}（{i}）")
            if i % every == every - 1 and len(pushed) < bystanders:
                user = 20_000 + len(pushed)
                message = await tg.push_text(user, asked[len(pushed)])
                pushed[user] = tg.pushed_at[message["update_id"]]
        await tg.wait_for(lambda: all(tg.sent("sendMessage", user) for user in pushed), timeout=600)
        latencies = [tg.sent("sendMessage", user)[0].at - at for user, at in pushed.items()]
        # the flooder's allowed answers and its one notice, paced at 1 message/s in its chat
        allowed = settings.updates_per_minute if command else settings.questions_per_minute
        await tg.wait_for(lambda: len(tg.sent("sendMessage", FLOODER)) > allowed, 600)
        await tg.settle()
        notice = text("bot.too_many_updates" if command else "bot.rate_limited").split("，")[0]
        to_flooder = [c.params["_result"]["text"] for c in tg.sent("sendMessage", FLOODER)]
        processor = tg.application.update_processor  # type: ignore[attr-defined]
    return {
        "flood": command or "questions",
        "flood_messages": flood,
        "bystanders": bystanders,
        "bystanders_answered": len(latencies),
        "bystander_p50_s": round(statistics.median(latencies), 3),
        "bystander_p95_s": round(percentile(latencies, 0.95), 3),
        "bystander_max_s": round(max(latencies), 3),
        "flooder_notices": sum(1 for t in to_flooder if t.startswith(notice)),
        "flooder_answers": sum(1 for t in to_flooder if not t.startswith(notice)),
        "dropped_before_a_slot": getattr(processor, "dropped", 0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=1000)
    parser.add_argument("--bystanders", type=int, default=20)
    parser.add_argument("--command", default="", help="flood with this command (e.g. /start) instead of questions")
    parser.add_argument("--ceiling", type=float, default=10.0, help="largest acceptable bystander p95 (s)")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results" / "flood.json")
    args = parser.parse_args()
    base = Settings.from_env()
    assistant = Assistant.open(base)
    with tempfile.TemporaryDirectory(prefix="pufa-bench-flood-") as tmp:
        settings = base.with_changes(telegram_bot_token=TOKEN,
            data_dir=Path(tmp),
            database_url=f"sqlite:///{Path(tmp) / 'log.sqlite3'}",
        )
        engine = make_engine(settings.effective_database_url)
        upgrade(engine)
        engine.dispose()
        store = Records.open(settings)
        try:
            result = asyncio.run(bench(settings, assistant, store, args.flood, args.bystanders, args.command))
        finally:
            store.close()
    result["ceiling_p95_s"] = args.ceiling
    result["ok"] = (
        result["bystanders_answered"] == args.bystanders
        and result["bystander_p95_s"] <= args.ceiling
        and result["flooder_notices"] == 1
    )
    return write_result(result, args.out, result["ok"])


if __name__ == "__main__":
    raise SystemExit(main())
