"""/quiz and /training through the real Application and the fake Bot API: buttons pressed as callback
queries, the article shown after each answer, the score stored in the real database."""

from __future__ import annotations

import random
import re
from datetime import datetime

from sqlalchemy import select

from bot.records.services import Records
from bot.records.training.messages import text
from bot.records.training.models import QuizAnswerRow
from bot.render import text as bot_text
from bot.settings import Settings
from knowledge.quiz import Question, QuizBank
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_fixtures import ADMIN_ID, INSPECTOR_ID, LAB_ID, run, running_bot


def keyboard(call_params: dict) -> list[dict]:
    return [button for row in call_params["reply_markup"]["inline_keyboard"] for button in row]


def question_index(assistant: object) -> dict[str, Question]:
    """Every question the bank can ask, by id (true/false items in both their true and false form)."""
    bank = QuizBank.from_library(assistant.library)  # type: ignore[attr-defined]
    return {q.id: q for seed in range(12) for q in (c.build(random.Random(seed)) for c in bank.candidates)}


async def latest_question(tg: FakeTelegram, count: int) -> tuple[dict, str, list[dict]]:
    """The ``count``-th message with answer buttons: (message, its text, its buttons)."""
    calls = await tg.wait_for(
        lambda: (
            len(
                asked := [
                    c
                    for c in tg.sent("sendMessage", INSPECTOR_ID)
                    if "qz:" in str(c.params.get("reply_markup"))
                    and "qz:next" not in str(c.params.get("reply_markup"))
                ]
            )
            >= count
            and asked
        )
    )
    call = calls[count - 1]
    return call.params["_result"], call.params["_result"]["text"], keyboard(call.params)


def button_for(question: Question, message_text: str, buttons: list[dict], right: bool) -> str:
    """The callback data of the right (or a wrong) answer, read off the message like a person would."""
    if question.kind == "truefalse":
        wanted = [b for b in buttons if (b["text"] == question.answer) == right]
    else:
        letters = dict(re.findall(r"^([A-D])\. (.*)$", message_text, re.M))
        wanted = [b for b in buttons if (letters[b["text"]] == question.answer) == right]
    return wanted[0]["callback_data"]


def stored_answers(store: Records) -> list[QuizAnswerRow]:
    with store.database.engine.connect() as connection:
        return list(connection.execute(select(QuizAnswerRow).order_by(QuizAnswerRow.id)).all())


def test_quiz_drill_stores_the_score_and_admins_see_the_summary(
    bot_settings: Settings, assistant: object
) -> None:
    """Answers are pressed at once here, so the minimum time per credited question is set to 0."""
    bot_store = Records.open(bot_settings.with_changes(quiz_min_seconds_per_question=0))
    bot_store.people.set_role(f"tg:{INSPECTOR_ID}", "inspector", "李四")
    questions = question_index(assistant)

    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            await tg.push_text(LAB_ID, "/quiz")
            refused = await tg.wait_sent(1, chat_id=LAB_ID)
            assert refused[-1].params["_result"]["text"] == bot_text("bot.not_inspector")

            await tg.push_text(INSPECTOR_ID, "/quiz 实验动物")
            message, shown, buttons = await latest_question(tg, 1)
            qid = buttons[0]["callback_data"].split(":")[1]
            first = questions[qid]
            assert first.topic == "实验动物" and shown.startswith("第 1 题 · 实验动物")
            assert len(buttons) == len(first.choices) >= 2

            feedback_before = len(tg.sent("sendMessage", INSPECTOR_ID))
            await tg.push_callback(INSPECTOR_ID, message, button_for(first, shown, buttons, right=True))
            sent = await tg.wait_sent(feedback_before + 1, chat_id=INSPECTOR_ID)
            feedback = sent[-1].params["_result"]["text"]
            assert feedback.startswith(text("bot.right"))
            assert (
                first.citation in feedback and first.text.splitlines()[0] in feedback
            )  # the article verbatim
            assert "实验动物管理条例" in first.citation
            edited = tg.sent("editMessageText", INSPECTOR_ID)
            assert edited and "你的答案" in edited[-1].params["_result"]["text"]
            controls = {b["text"]: b["callback_data"] for b in keyboard(sent[-1].params)}

            # the same button again: the question is no longer pending, nothing more is stored
            toasts_before = len(tg.sent("answerCallbackQuery"))
            await tg.push_callback(INSPECTOR_ID, message, button_for(first, shown, buttons, right=True))
            toasts = await tg.wait_sent(toasts_before + 1, "answerCallbackQuery")
            assert toasts[-1].params.get("text") == text("bot.expired")

            await tg.push_callback(
                INSPECTOR_ID, sent[-1].params["_result"], controls[text("bot.button_next")]
            )
            message, shown, buttons = await latest_question(tg, 2)
            second = questions[buttons[0]["callback_data"].split(":")[1]]
            assert shown.startswith("第 2 题")
            feedback_before = len(tg.sent("sendMessage", INSPECTOR_ID))
            await tg.push_callback(INSPECTOR_ID, message, button_for(second, shown, buttons, right=False))
            sent = await tg.wait_sent(feedback_before + 1, chat_id=INSPECTOR_ID)
            assert sent[-1].params["_result"]["text"].startswith("❌ 回答错误。正确答案：")
            assert text("bot.tally", correct=1, answered=2) in sent[-1].params["_result"]["text"]

            await tg.push_callback(
                INSPECTOR_ID, sent[-1].params["_result"], controls[text("bot.button_stop")]
            )
            done = await tg.wait_sent(feedback_before + 2, chat_id=INSPECTOR_ID)
            assert "本次练习结束：答对 1 / 2 题" in done[-1].params["_result"]["text"]

            rows = stored_answers(bot_store)
            assert [(r.inspector, r.question_id, r.correct) for r in rows] == [
                ("李四", first.id, True),
                ("李四", second.id, False),
            ]
            assert rows[0].topic == "实验动物" and rows[0].doc_id == first.doc_id and rows[0].seconds >= 0

            year = datetime.now().year
            await tg.push_text(INSPECTOR_ID, f"/training {year}")
            refused = await tg.wait_sent(feedback_before + 3, chat_id=INSPECTOR_ID)
            assert refused[-1].params["_result"]["text"] == bot_text("bot.not_admin")

            await tg.push_text(ADMIN_ID, f"/training {year}")
            summary = (await tg.wait_sent(1, chat_id=ADMIN_ID))[-1].params["_result"]["text"]
            assert summary.startswith(f"{year}年度执法人员法律培训情况")
            line = next(line for line in summary.splitlines() if line.startswith("李四："))
            assert "练习 1/2（50%）" in line and "差 " in line  # far under 60 hours: flagged

    try:
        run(scenario)
    finally:
        bot_store.close()

