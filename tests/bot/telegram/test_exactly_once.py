"""Exactly-once turns with real `pufa serve` processes: a redelivered update and an update seen by two
processes sharing one database and data folder are recorded and answered once."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.records.models import TurnClaimRow, TurnRow
from bot.records.services import Records
from bot.records.turns.claims import Claim, source_uid, telegram_key
from bot.settings import Settings
from bot.telegram.app import build_application, run_until_stopped
from bot.telegram.inbox import Inbox, Received
from tests.support.fake_telegram import BOT_ID, FakeTelegram
from tests.support.outreach import PG_URL, SKIP_PG, _upgrade, pg_schema
from tests.support.serve_process import polling, start_serve
from tests.support.telegram_fixtures import LAB_ID, fast_limiter, run

QUESTION = "两家供应商送来的小鼠能不能放在同一个饲养间一起养？"


def replies_to(telegrams: list[FakeTelegram], message: dict[str, Any]) -> int:
    """How many answers (first parts reply to the question) all the servers got for ``message``."""
    return sum(
        1
        for tg in telegrams
        for call in tg.sent("sendMessage", message["chat"]["id"])
        if (call.params.get("reply_parameters") or {}).get("message_id") == message["message_id"]
    )


def counts(settings: Settings) -> tuple[int, int]:
    """(turns, answered claims) in the database."""
    records = Records.open(settings)
    try:
        with records.database.raw_reading() as db:
            turns = db.scalar(select(func.count()).select_from(TurnRow)) or 0
            answered = db.scalar(
                select(func.count()).select_from(TurnClaimRow).where(TurnClaimRow.answered_at.is_not(None))
            )
            return turns, answered or 0
    finally:
        records.close()


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    await process.wait()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason=SKIP_PG)
def test_two_serve_processes_on_one_postgres_answer_each_update_once(bot_settings: Settings) -> None:
    """The probe: the same update posted to two processes was recorded and answered twice, 10/10."""
    asked = 10
    with pg_schema() as url:
        _upgrade(url)
        settings = bot_settings.with_changes(database_url=url)

        async def scenario() -> list[int]:
            async with FakeTelegram() as one, FakeTelegram() as two:
                processes = [await start_serve(settings, one), await start_serve(settings, two)]
                try:
                    await asyncio.gather(polling(one), polling(two))
                    messages = []
                    for n in range(asked):
                        message = one.message(LAB_ID + n, text=f"{QUESTION}（{n}）")
                        for telegram in (one, two):
                            await telegram.push_update({"message": message}, update_id=500 + n)
                        messages.append(message)
                    await one.wait_for(lambda: all(replies_to([one, two], m) for m in messages), timeout=240)
                    await asyncio.gather(one.settle(), two.settle())
                    return [replies_to([one, two], m) for m in messages]
                finally:
                    await asyncio.gather(*(stop(p) for p in processes))

        assert run(scenario) == [1] * asked
        assert counts(settings) == (asked, asked)


def test_serve_killed_just_after_delivery_answers_the_redelivered_update_once(bot_settings: Settings) -> None:
    """The probe: kill -9 about 10 ms after delivery gave one message two turns and two answers."""

    async def scenario() -> int:
        async with FakeTelegram() as tg:
            first = await start_serve(bot_settings, tg)
            try:
                await polling(tg)
                question = await tg.push_text(LAB_ID, QUESTION)
                await tg.wait_for(
                    lambda: any(c.method == "getUpdates" and c.params["_result"] for c in tg.calls if c.ok)
                )
                await asyncio.sleep(0.01)
            finally:
                first.send_signal(signal.SIGKILL)
                await first.wait()
            second = await start_serve(bot_settings, tg)  # Telegram delivers the update again
            try:
                await tg.wait_for(lambda: replies_to([tg], question), timeout=240)
                await tg.settle()
                await asyncio.sleep(1)  # a second answer would come now
                return replies_to([tg], question)
            finally:
                await stop(second)

    assert run(scenario) == 1
    assert counts(bot_settings) == (1, 1)


def test_a_question_claimed_by_a_dead_process_and_redelivered_at_start_is_answered_once(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    """The probe (a flake of the test above under load): a process died after claiming a question; its
    successor received the redelivered update while it adopted the dead one's journal, and each path left
    the question to the other — never answered."""
    dead = Inbox(bot_settings.data_dir, "dead-process")

    async def scenario() -> int:
        async with FakeTelegram() as tg:
            message = tg.message(LAB_ID, text=QUESTION)
            update_id = await tg.push_update({"message": message})  # waiting when the successor starts
            received = Received(
                uid=source_uid(telegram_key(BOT_ID, LAB_ID, message["message_id"])),
                chat_id=LAB_ID,
                message_id=message["message_id"],
                user_id=LAB_ID,
                display_name="测试用户",
                question=QUESTION,
                asked_at=datetime.now(UTC),
                bot_id=BOT_ID,
                update_id=update_id,
            )
            dead.received(received)
            assert bot_store.claims.claim(received.source, dead.owner) is Claim.MINE
            dead.close()  # killed before it answered
            settings = bot_settings.with_changes(telegram_api_base_url=tg.base_url)
            app = build_application(settings, assistant, bot_store, fast_limiter())
            stop = asyncio.Event()
            task = asyncio.create_task(run_until_stopped(app, stop, poll_timeout=1))
            try:
                await tg.wait_for(lambda: replies_to([tg], message), timeout=120)
                await tg.settle()
                await asyncio.sleep(1)  # a second answer would come now
                return replies_to([tg], message)
            finally:
                stop.set()
                await task

    assert run(scenario) == 1
    assert counts(bot_settings) == (1, 1)
