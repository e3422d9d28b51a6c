"""Two `pufa serve` processes against one PostgreSQL and one data folder, every update delivered to both.

Each question is pushed to two fake Bot API servers under the same update id (as Telegram would hand it
to two processes polling or behind a balancer). Reports the questions sent, the turns recorded, the
answers sent (all must be equal: exactly once) and the time until the last answer.

    python bench/bench_two_processes.py [--questions 40] [--out bench-results/two-processes.json]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from bench.bench_bot import questions  # noqa: E402
from bench.floors import write_result  # noqa: E402
from bot.records.db import make_engine  # noqa: E402
from bot.records.models import TurnRow  # noqa: E402
from bot.records.schema import upgrade  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.support.fake_telegram import FakeTelegram  # noqa: E402
from tests.support.outreach import PG_URL, pg_schema  # noqa: E402
from tests.support.serve_process import polling, start_serve  # noqa: E402

FIRST_USER = 30_000


async def bench(settings: Settings, count: int) -> dict:
    asked = questions(count)
    async with FakeTelegram() as one, FakeTelegram() as two:
        processes = [await start_serve(settings, one), await start_serve(settings, two)]
        try:
            await asyncio.gather(polling(one, 600), polling(two, 600))
            started = time.monotonic()
            messages = []
            for n, question in enumerate(asked):
                message = one.message(FIRST_USER + n, text=question)
                for telegram in (one, two):
                    await telegram.push_update({"message": message}, update_id=1000 + n)
                messages.append(message)

            def answers() -> int:
                return sum(
                    1
                    for tg in (one, two)
                    for m in messages
                    for call in tg.sent("sendMessage", m["chat"]["id"])
                    if (call.params.get("reply_parameters") or {}).get("message_id") == m["message_id"]
                )

            await one.wait_for(lambda: answers() >= count, timeout=900)
            elapsed = time.monotonic() - started
            await asyncio.gather(one.settle(), two.settle())
            await asyncio.sleep(2)  # a doubled answer would arrive now
            return {"answers_sent": answers(), "last_answer_s": round(elapsed, 2)}
        finally:
            for process in processes:
                process.terminate()
            await asyncio.gather(*(p.wait() for p in processes))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--out", type=Path, default=REPO / "bench-results" / "two-processes.json")
    args = parser.parse_args()
    if not PG_URL:
        raise SystemExit("set PUFA_TEST_POSTGRES_URL (make bench sets it)")
    base = Settings.from_env()
    with tempfile.TemporaryDirectory(prefix="pufa-bench-two-") as tmp, pg_schema() as url:
        data_dir = Path(tmp) / "data"
        shutil.copytree(base.data_dir / "index", data_dir / "index")
        settings = base.with_changes(data_dir=data_dir, database_url=url)
        engine = make_engine(url)
        upgrade(engine)
        result = {"questions_sent": args.questions, **asyncio.run(bench(settings, args.questions))}
        with engine.connect() as connection:
            result["turns_recorded"] = connection.scalar(select(func.count()).select_from(TurnRow))
        engine.dispose()
    result["ok"] = result["questions_sent"] == result["turns_recorded"] == result["answers_sent"]
    return write_result(result, args.out, result["ok"])


if __name__ == "__main__":
    raise SystemExit(main())
