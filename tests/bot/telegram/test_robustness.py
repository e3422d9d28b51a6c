"""The bot under a locked database, floods, restarts and crashes (real Application, real processes)."""

from __future__ import annotations

import signal
import time

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy import text as sql

from bot.records.models import TurnRow
from bot.records.services import Records
from bot.render import text
from bot.settings import Settings
from bot.telegram.inbox import INBOX_DIR
from bot.telegram.limits import TelegramRateLimiter
from knowledge.templates import text as template_text
from tests.support.fake_telegram import FakeTelegram
from tests.support.outreach import PG_URL, SKIP_PG, _upgrade, pg_schema
from tests.support.serve_process import start_serve
from tests.support.telegram_fixtures import ADMIN_ID, GROUP_ID, LAB_ID, OTHER_ID, run, running_bot, shown

QUESTION = "两家供应商送来的小鼠能不能放在同一个饲养间一起养？"
CITE = "/cite 实验动物管理条例第十一条"


def turn_count(store: Records) -> int:
    with store.database.raw_reading() as db:
        return db.scalar(select(func.count()).select_from(TurnRow))


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason=SKIP_PG)
def test_locked_postgres_table_does_not_stop_answers(bot_settings: Settings, assistant: object) -> None:
    """LOCK TABLE in another connection: answers, /cite and /help keep coming; the turn lands once."""
    with pg_schema() as url:
        _upgrade(url)
        settings = bot_settings.with_changes(database_url=url, db_statement_timeout_s=1.0, spool_replay_s=0.5)
        store = Records.open(settings)
        locker_engine = create_engine(url)
        locker = locker_engine.connect()
        locker.execute(sql("LOCK TABLE turns, people IN ACCESS EXCLUSIVE MODE"))

        async def scenario() -> None:
            async with running_bot(settings, assistant, store) as tg:
                started = time.monotonic()
                await tg.push_text(LAB_ID, QUESTION)
                await tg.push_text(OTHER_ID, CITE)
                await tg.push_text(OTHER_ID, "/help")
                await tg.wait_sent(1, chat_id=LAB_ID, timeout=30)
                await tg.wait_sent(2, chat_id=OTHER_ID, timeout=30)
                assert time.monotonic() - started < 20, "answers do not wait for the lock"
                replies = shown(tg, OTHER_ID)
                assert any("第十一条" in r for r in replies) and any("/cite" in r for r in replies)
                spooled = [e["turn"]["question"] for e in store.turns.spool.entries() if e["type"] == "turn"]
                assert spooled == [QUESTION], "the turn waits in the spool while the table is locked"
                locker.rollback()
                await tg.wait_for(lambda: not store.turns.spool.pending(), timeout=30)

        try:
            run(scenario)
            assert [item.question for item in store.people.history(f"tg:{LAB_ID}")] == [QUESTION]
            assert turn_count(store) == 1
        finally:
            locker.close()
            locker_engine.dispose()
            store.close()


def test_flood_gets_one_notice_and_a_bystander_is_answered(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    """400 messages from one user under Telegram's real per-chat pacing: one notice, bystander served."""

    async def scenario() -> None:
        limiter = TelegramRateLimiter()  # real pacing: 1 message/s per private chat
        async with running_bot(bot_settings, assistant, bot_store, limiter=limiter) as tg:
            for i in range(400):
                await tg.push_text(LAB_ID, f"{QUESTION}{i}")
            started = time.monotonic()
            await tg.push_text(OTHER_ID, QUESTION)
            await tg.wait_sent(1, chat_id=OTHER_ID, timeout=30)
            assert time.monotonic() - started < 30
            await tg.settle()
            await tg.wait_for(lambda: len(tg.sent("sendMessage", LAB_ID)) >= 11, timeout=60)
            notice = text("bot.rate_limited").split("，")[0]
            notices = [s for s in shown(tg, LAB_ID) if s.startswith(notice)]
            assert len(notices) == 1, "one notice per user per window"
            processor = tg.application.update_processor  # type: ignore[attr-defined]
            assert processor.dropped > 300, "the excess is dropped before it takes a slot"

    run(scenario)
    assert len(bot_store.people.history(f"tg:{LAB_ID}", limit=100)) == bot_settings.questions_per_minute


def test_command_and_button_floods_go_through_the_limiter_and_bystanders_are_answered(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    """The probe: 1,000 × /start from one user left 12 of 20 bystanders unanswered after 150 s."""
    flood, bystanders = 1000, [OTHER_ID + n for n in range(1, 6)]
    allowed = bot_settings.updates_per_minute

    async def scenario() -> None:
        limiter = TelegramRateLimiter()  # real pacing: 1 message/s per private chat
        async with running_bot(bot_settings, assistant, bot_store, limiter=limiter) as tg:
            await tg.push_text(ADMIN_ID, "/help")
            (help_message,) = await tg.wait_sent(1, chat_id=ADMIN_ID)
            for _ in range(flood):
                await tg.push_text(LAB_ID, "/start")
            for _ in range(50):  # a button flood from another user: also counted
                await tg.push_callback(ADMIN_ID, help_message.params["_result"], "fb:+:00ff")
            for user in bystanders:
                await tg.push_text(user, QUESTION)
            for user in bystanders:
                await tg.wait_sent(1, chat_id=user, timeout=60)
            await tg.settle()
            processor = tg.application.update_processor  # type: ignore[attr-defined]
            assert processor.dropped == (flood - allowed) + (50 + 1 - allowed)
            toasts = [c.params.get("text") for c in tg.sent("answerCallbackQuery")]
            notice = text("bot.too_many_updates", limit=allowed, seconds=60)[:12]
            assert len(toasts) == allowed and sum(1 for t in toasts if t and t.startswith(notice)) == 1

    run(scenario)


def test_buttons_belong_to_their_owner_across_a_restart_and_history_stays_private(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            await tg.push_text(LAB_ID, QUESTION)
            answer = (await tg.wait_sent(1, chat_id=LAB_ID))[-1]
            await tg.settle()
        buttons = [b for row in answer.params["reply_markup"]["inline_keyboard"] for b in row]
        data = {b["text"]: b["callback_data"] for b in buttons}
        async with running_bot(bot_settings, assistant, bot_store) as tg:  # a new process' memory
            message = answer.params["_result"]
            await tg.push_callback(OTHER_ID, message, data[text("bot.button_down")])
            await tg.wait_sent(1, "answerCallbackQuery")
            await tg.push_callback(LAB_ID, message, data[text("bot.button_up")])
            await tg.wait_sent(2, "answerCallbackQuery")
            toasts = [c.params.get("text") for c in tg.sent("answerCallbackQuery")]
            assert toasts == [text("bot.feedback_not_yours"), text("bot.feedback_recorded")]
            for odd in ("/revoke ²", "/revoke ٣", "/grant ½"):  # digits that are not ASCII
                await tg.push_text(ADMIN_ID, odd)
            await tg.wait_sent(3, chat_id=ADMIN_ID)
            assert shown(tg, ADMIN_ID) == [text("bot.revoke_usage")] * 2 + [text("bot.grant_usage")]
            await tg.push_text(LAB_ID, "/history", chat_id=GROUP_ID, chat_type="supergroup")
            await tg.wait_sent(1, chat_id=GROUP_ID)
            await tg.settle()
            in_group = shown(tg, GROUP_ID)
            assert in_group == [template_text("robust", "bot.history_private_only")]
            assert not any(QUESTION in s for s in in_group)

    run(scenario)
    assert [item.feedback for item in bot_store.people.history(f"tg:{LAB_ID}")] == [1]


def test_serve_killed_while_answering_answers_after_restart_and_logs_once(
    bot_settings: Settings, bot_store: Records
) -> None:
    """SIGKILL while the reply is held back (429): the restarted bot answers it; one turn is logged."""

    async def scenario() -> None:
        async with FakeTelegram() as tg:
            tg.inject_error("sendMessage", retry_after=120)
            first = await start_serve(bot_settings, tg)
            try:
                question = await tg.push_text(LAB_ID, QUESTION)
                await tg.wait_for(lambda: any(c.method == "sendMessage" for c in tg.calls), timeout=240)
                await tg.wait_for(
                    lambda: [
                        c for c in tg.calls if c.method == "getUpdates" and c.params.get("offset", 0) > 1
                    ]
                )  # Telegram now counts the question as delivered
            finally:
                first.send_signal(signal.SIGKILL)
                await first.wait()
            journals = list((bot_settings.data_dir / INBOX_DIR).glob("telegram-*.jsonl"))
            assert len(journals) == 1 and QUESTION in journals[0].read_text(encoding="utf-8")
            second = await start_serve(bot_settings, tg)
            try:
                sent = await tg.wait_sent(1, chat_id=LAB_ID, timeout=240)
                assert sent[0].params["reply_parameters"]["message_id"] == question["message_id"]
                assert sent[0].params["_result"]["text"].startswith(text("render.conclusion"))
            finally:
                second.send_signal(signal.SIGTERM)
                assert await second.wait() == 0

    run(scenario)
    assert [item.question for item in bot_store.people.history(f"tg:{LAB_ID}")] == [QUESTION]
    assert turn_count(bot_store) == 1
