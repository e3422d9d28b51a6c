"""Questions through the real Application and the fake Bot API: answers, buttons, groups, limits, failures."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.records.services import Records
from bot.render import text
from bot.settings import Settings
from knowledge.assistant import Assistant
from knowledge.index.embedders import Embedder
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.support.fake_telegram import MESSAGE_LIMIT, TOKEN, utf16_len
from tests.support.telegram_fixtures import GROUP_ID, LAB_ID, OTHER_ID, run, running_bot, shown

QUESTION = "两家供应商送来的小鼠能不能放在同一个饲养间一起养？"
HOSTILE = "<script>alert(1)</script> & <<人遗条例>> 规定的采集活动需要审批吗？</b>"



def keyboard_of(call_params: dict) -> list[dict]:
    return [button for row in call_params["reply_markup"]["inline_keyboard"] for button in row]


def test_question_gets_an_answer_with_buttons_and_is_logged(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            question = await tg.push_text(LAB_ID, QUESTION)
            calls = await tg.wait_sent(1, chat_id=LAB_ID)
            await tg.settle()
            answer_calls = tg.sent("sendMessage", LAB_ID)
            first = answer_calls[0].params
            assert first["parse_mode"] == "HTML"
            assert first["_result"]["text"].startswith(text("render.conclusion"))
            assert first["reply_parameters"]["message_id"] == question["message_id"]
            buttons = keyboard_of(answer_calls[-1].params)
            assert [b["text"] for b in buttons][:2] == [text("bot.button_up"), text("bot.button_down")]
            assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
            assert tg.sent("sendChatAction", LAB_ID), "a typing indicator while the answer is computed"
            assert len(calls) == len(answer_calls), "the answer is sent once"

    run(scenario)
    history = bot_store.people.history(f"tg:{LAB_ID}")
    assert [item.question for item in history] == [QUESTION]


def test_hostile_html_like_input_is_answered_safely(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            await tg.push_text(LAB_ID, HOSTILE)
            await tg.push_text(LAB_ID, "/search <<人遗条例>> & <b>")
            await tg.push_text(LAB_ID, "/cite <<人遗条例>>第22条&")
            await tg.wait_sent(3, chat_id=LAB_ID)
            await tg.settle()
            replies = shown(tg, LAB_ID)
            assert len(replies) == 3
            assert text("bot.error") not in replies
            assert not [c for c in tg.calls if not c.ok], "Telegram accepted every request"
            assert any("<<人遗条例>> & <b>" in r for r in replies), "the search echoes the question verbatim"

    run(scenario)
    assert bot_store.people.history(f"tg:{LAB_ID}")[0].question == HOSTILE


def test_edited_messages_are_ignored_and_non_text_gets_a_note(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            original = tg.message(LAB_ID, text=QUESTION)
            await tg.push_update({"edited_message": {**original, "edit_date": original["date"] + 5}})
            photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
            await tg.push_update({"message": tg.message(LAB_ID, photo=photo)})
            sticker = {
                "file_id": "s1",
                "file_unique_id": "u2",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
            await tg.push_update({"message": tg.message(LAB_ID, sticker=sticker)})
            await tg.push_update(
                {"message": tg.message(LAB_ID, voice={"file_id": "v", "file_unique_id": "v", "duration": 2})}
            )
            document = {"file_id": "d", "file_unique_id": "d", "file_name": "申请书.docx"}
            await tg.push_update({"message": tg.message(LAB_ID, document=document)})
            await tg.push_update(
                {"message": tg.message(LAB_ID, location={"latitude": 31.2, "longitude": 121.5})}
            )
            await tg.wait_sent(5, chat_id=LAB_ID)
            await tg.settle()
            assert shown(tg, LAB_ID) == [text("bot.non_text")] * 5

    run(scenario)
    assert bot_store.people.history(f"tg:{LAB_ID}") == []


def test_group_answers_only_when_mentioned_or_replied_to(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            await tg.push_text(LAB_ID, QUESTION, chat_id=GROUP_ID, chat_type="supergroup")
            photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
            await tg.push_update({"message": tg.message(LAB_ID, GROUP_ID, "supergroup", photo=photo)})
            await tg.push_text(LAB_ID, "/start@some_other_bot", chat_id=GROUP_ID, chat_type="supergroup")
            await tg.settle()
            assert tg.sent("sendMessage", GROUP_ID) == []

            mentioned = await tg.push_text(
                LAB_ID, f"@pufa_test_bot {QUESTION}", chat_id=GROUP_ID, chat_type="supergroup"
            )
            first = (await tg.wait_sent(1, chat_id=GROUP_ID))[0]
            assert first.params["reply_parameters"]["message_id"] == mentioned["message_id"]
            await tg.settle()
            bot_message = tg.sent("sendMessage", GROUP_ID)[-1].params["_result"]
            count = len(tg.sent("sendMessage", GROUP_ID))
            follow_up = await tg.push_text(
                OTHER_ID,
                "那做不同实验的几批呢？",
                chat_id=GROUP_ID,
                chat_type="supergroup",
                reply_to=bot_message,
            )
            later = await tg.wait_sent(count + 1, chat_id=GROUP_ID)
            assert later[count].params["reply_parameters"]["message_id"] == follow_up["message_id"]

    run(scenario)
    questions = [item.question for item in bot_store.people.history(f"tg:{LAB_ID}")]
    assert questions == [QUESTION], "the mention is not part of the logged question"


def test_buttons_feedback_source_and_expired(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            await tg.push_text(LAB_ID, QUESTION)
            await tg.wait_sent(1, chat_id=LAB_ID)
            await tg.settle()
            last = tg.sent("sendMessage", LAB_ID)[-1]
            message = last.params["_result"]
            data = {b["text"]: b["callback_data"] for b in keyboard_of(last.params)}
            answered_before = len(tg.sent("answerCallbackQuery"))

            await tg.push_callback(LAB_ID, message, data[text("bot.button_up")])
            await tg.push_callback(OTHER_ID, message, data[text("bot.button_down")])
            await tg.push_callback(LAB_ID, message, "src:0123456789abcdef")  # not a turn of this run
            await tg.push_callback(LAB_ID, message, "fb:+:ffffffffffffffff")  # never logged
            await tg.push_callback(LAB_ID, message, "something-old")
            await tg.wait_sent(answered_before + 5, "answerCallbackQuery")
            toasts = [c.params.get("text") for c in tg.sent("answerCallbackQuery")[answered_before:]]
            assert sorted(toasts) == sorted(
                [
                    text("bot.feedback_recorded"),
                    text("bot.feedback_not_yours"),
                    text("bot.source_expired"),
                    text("bot.feedback_unknown"),
                    text("bot.callback_unknown"),
                ]
            )
            if text("bot.button_source") in data:
                count = len(tg.sent("sendMessage", LAB_ID))
                await tg.push_callback(LAB_ID, message, data[text("bot.button_source")])
                await tg.wait_sent(count + 1, chat_id=LAB_ID)
                source = shown(tg, LAB_ID)[count]
                assert "第" in source and "条" in source
            await tg.settle()
            assert not tg._open_callbacks, "every callback query is answered"

    run(scenario)
    assert [item.feedback for item in bot_store.people.history(f"tg:{LAB_ID}")] == [1]


def test_per_user_question_limit(bot_settings: Settings, assistant: object, bot_store: Records) -> None:
    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store, questions_per_minute=2) as tg:
            for _ in range(3):
                await tg.push_text(LAB_ID, QUESTION)
            await tg.push_text(OTHER_ID, QUESTION)
            await tg.wait_sent(1, chat_id=OTHER_ID)
            await tg.wait_for(
                lambda: any(text("bot.rate_limited").split("，")[0] in s for s in shown(tg, LAB_ID))
            )
            await tg.settle()
            limited = [s for s in shown(tg, LAB_ID) if s.startswith(text("bot.rate_limited").split("，")[0])]
            assert len(limited) == 1
            assert "2" in limited[0]

    run(scenario)
    assert len(bot_store.people.history(f"tg:{LAB_ID}")) == 2


def test_429_is_retried_and_nothing_is_lost_or_duplicated(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            tg.inject_error("sendMessage", 429, retry_after=1, count=2)
            await tg.push_text(LAB_ID, QUESTION)
            await tg.push_text(OTHER_ID, QUESTION)
            await tg.wait_sent(1, chat_id=LAB_ID)
            await tg.wait_sent(1, chat_id=OTHER_ID)
            await tg.settle()
            rejected = [c for c in tg.calls if c.method == "sendMessage" and not c.ok]
            assert len(rejected) == 2
            first_parts = [c for c in tg.sent("sendMessage") if c.params.get("reply_parameters")]
            assert sorted(c.params["chat_id"] for c in first_parts) == [LAB_ID, OTHER_ID]

    run(scenario)


def test_a_reply_whose_response_comes_too_late_is_not_posted_twice(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    """Telegram carried the message out but answered after the read timeout: no second copy, no apology."""

    async def scenario() -> None:
        async with running_bot(bot_settings.with_changes(telegram_read_timeout_s=1), assistant, bot_store) as tg:
            tg.hold("sendMessage", 3)
            await tg.push_text(LAB_ID, QUESTION)
            await tg.wait_sent(1, chat_id=LAB_ID)
            await asyncio.sleep(4)  # the held response, the timeout and any resend are over
            await tg.settle()
            shown_to_lab = tg.sent("sendMessage", chat_id=LAB_ID)
            assert len(shown_to_lab) == 1 and shown_to_lab[0].params.get("reply_parameters")
            await tg.push_text(OTHER_ID, QUESTION)  # and the bot goes on answering
            await tg.wait_sent(1, chat_id=OTHER_ID)

    run(scenario)
    assert len(bot_store.people.history(f"tg:{LAB_ID}")) == 1


def test_failure_is_logged_with_update_id_and_user_gets_a_plain_apology(
    bot_settings: Settings, assistant: object, bot_store: Records, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)

    async def scenario() -> int:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            tg.inject_error("sendMessage", 400, count=1, description="Bad Request: chat not found")
            question = await tg.push_text(LAB_ID, QUESTION)
            await tg.wait_sent(1, chat_id=LAB_ID)
            await tg.settle()
            assert shown(tg, LAB_ID) == [text("bot.error")]
            return question["update_id"]

    update_id = run(scenario)
    failures = [r for r in caplog.records if r.name == "bot.telegram" and r.levelno == logging.ERROR]
    assert len(failures) == 1
    assert f"update {update_id} failed" in failures[0].getMessage()
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text


def test_long_answer_is_split_into_valid_parts(
    bot_settings: Settings, e5: Embedder, bot_store: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An LLM-mode answer (fake OpenAI-compatible server) longer than one message."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    points = [
        f"要点{i}：" + "请按照合作方案逐项准备申请材料，并由双方单位共同提交，<审批>&备案缺一不可。" * 6
        for i in range(14)
    ]
    reply = {
        "conclusion": "需要审批，并且应当由中外双方共同申请[A1]。",
        "compliance": points,
        "advice": "尽早申请。",
    }
    reply["cited"] = ["A1"]
    with FakeOpenAI() as llm:
        llm.script(Reply(json.dumps(reply, ensure_ascii=False)))
        llm_settings = bot_settings.with_changes(
            llm_base_url=llm.base_url, llm_api_key="sk-test", llm_model="fake-model"
        )
        assistant = Assistant.open(llm_settings, embedder=e5)

        async def scenario() -> list[dict]:
            async with running_bot(bot_settings, assistant, bot_store) as tg:
                question = await tg.push_text(
                    LAB_ID, "我们和一家外国公司合作，用国内采集的血样做基因研究，需要审批吗？"
                )
                await tg.wait_sent(2, chat_id=LAB_ID)
                await tg.settle()
                calls = tg.sent("sendMessage", LAB_ID)
                assert calls[0].params["reply_parameters"]["message_id"] == question["message_id"]
                assert all("reply_markup" not in c.params for c in calls[:-1]), (
                    "buttons only under the last part"
                )
                assert "reply_markup" in calls[-1].params
                return [c.params["_result"] for c in calls]

        parts = run(scenario)
    texts = [part["text"] for part in parts]
    assert len(texts) >= 2
    assert all(utf16_len(t) <= MESSAGE_LIMIT for t in texts)
    assert texts[0].startswith(text("render.conclusion") + "\n需要审批")
    for point in points:
        assert sum(point in t for t in texts) == 1, "a compliance point is never cut between two messages"
    assert bot_store.people.history(f"tg:{LAB_ID}")[0].answer_mode == "llm"


def test_a_slow_answer_does_not_block_other_users(
    bot_settings: Settings, e5: Embedder, bot_store: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first user's answer waits on a slow LLM reply; the second user is answered meanwhile."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    reply = {
        "conclusion": "需要审批[A1]。",
        "compliance": ["共同申请[A1]。"],
        "advice": "尽早申请。",
        "cited": ["A1"],
    }
    body = json.dumps(reply, ensure_ascii=False)
    question = "我们和一家外国公司合作，用国内采集的血样做基因研究，需要审批吗？"
    with FakeOpenAI() as llm:
        llm.script(Reply(body, delay_s=4), Reply(body))
        llm_settings = bot_settings.with_changes(
            llm_base_url=llm.base_url, llm_api_key="sk-test", llm_model="fake-model"
        )
        assistant = Assistant.open(llm_settings, embedder=e5)

        async def scenario() -> list[int]:
            async with running_bot(bot_settings, assistant, bot_store) as tg:
                await tg.push_text(LAB_ID, question)
                await tg.wait_for(lambda: len(llm.requests) == 1)  # re-checked at each poll of the bot
                await tg.push_text(OTHER_ID, question)
                await tg.wait_sent(1, chat_id=LAB_ID)
                return [
                    c.params["chat_id"] for c in tg.sent("sendMessage") if c.params.get("reply_parameters")
                ]

        order = run(scenario)
    assert order == [OTHER_ID, LAB_ID]
