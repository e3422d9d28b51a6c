"""Every command through the real Application and the fake Bot API, with the real assistant and log."""

from __future__ import annotations

import re

from bot.records.services import Records
from bot.render import text, texts_section
from bot.settings import Settings
from bot.telegram.sentences import say
from tests.support.outreach import credit_code
from tests.support.telegram_fixtures import (
    ADMIN_ID,
    INSPECTOR_ID,
    LAB_ID,
    OTHER_ID,
    command,
    run,
    running_bot,
    shown,
)

CJK = re.compile(r"[\u4e00-\u9fff]")




def test_start_help_and_the_command_menu(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            menu = {c["command"]: c["description"] for c in tg.commands}
            assert list(menu) == list(texts_section("commands"))
            assert {"start", "help", "cite", "search", "laws", "register", "feedback"} <= set(menu)
            assert all(CJK.search(description) for description in menu.values())

            (start,) = await command(tg, LAB_ID, "/start")
            assert text("bot.notice") in start
            assert "/cite" in start and "/laws" in start

            (lab_help,) = await command(tg, LAB_ID, "/help")
            assert "/outreach_start" not in lab_help and "/grant" not in lab_help
            (admin_help,) = await command(tg, ADMIN_ID, "/help")
            assert "/outreach_start" in admin_help and "/grant" in admin_help

            (unknown,) = await command(tg, LAB_ID, "/nosuchcommand")
            assert unknown == text("bot.unknown_command")

    run(scenario)


def test_cite_search_and_laws(bot_settings: Settings, assistant: object, bot_store: Records) -> None:
    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            cited = await command(tg, LAB_ID, "/cite 实验动物管理条例第十一条")
            assert "实验动物管理条例" in cited[0] and "第十一条" in cited[0]
            assert "分开饲养" in "".join(cited)

            (unknown,) = await command(tg, LAB_ID, "/cite 实验动物管理条例第九百条")
            expected = assistant.cite("实验动物管理条例第九百条")  # type: ignore[attr-defined]
            assert not expected.found and unknown == expected.message.strip()

            (usage,) = await command(tg, LAB_ID, "/cite")
            assert usage == text("bot.empty_question", example=text("bot.cite_example"))

            (found,) = await command(tg, LAB_ID, "/search 不同来源的实验动物能否混养")
            assert found.startswith(text("render.search_header", question="不同来源的实验动物能否混养"))
            assert re.search(r"^1\. .+ 第\d+条", found, re.M)

            laws = await command(tg, LAB_ID, "/laws")
            listing = "\n".join(laws)
            assert "实验动物管理条例" in listing and "人类遗传资源管理条例" in listing
            assert listing.strip() == assistant.laws_text().strip()  # type: ignore[attr-defined]

    run(scenario)


def test_register_validates_the_credit_code(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    good = credit_code(4242)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")

    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            (usage,) = await command(tg, LAB_ID, "/register 只有名称")
            assert usage == text("bot.register_usage")
            (refused,) = await command(tg, LAB_ID, f"/register 康源 实验动物 有限公司 {bad}")
            assert refused.startswith(text("bot.register_bad_code", code=bad, reason="").split("：")[0])
            assert "校验位" in refused
            (queued,) = await command(tg, LAB_ID, f"/register 康源 实验动物 有限公司 {good}")
            assert queued == say("units.queued", code=good, id=1)
            (confirmed,) = await command(tg, ADMIN_ID, "/unit_confirm 1 实验动物")
            assert confirmed == say("units.confirmed", name="康源 实验动物 有限公司", code=good)

    run(scenario)
    assert [(u.name, u.credit_code) for u in bot_store.units.list()] == [
        ("康源 实验动物 有限公司", good)
    ]


def test_feedback_history_and_forget(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            (thanks,) = await command(tg, LAB_ID, "/feedback 希望增加地方性法规")
            assert thanks == text("bot.feedback_thanks")
            (empty,) = await command(tg, LAB_ID, "/history")
            assert empty == text("bot.history_empty")

            await command(tg, LAB_ID, "实验动物可以和不同来源的动物混养吗？")
            (history,) = await command(tg, LAB_ID, "/history")
            assert history.startswith(text("bot.history_header"))
            assert "实验动物可以和不同来源的动物混养吗？" in history

            (confirm,) = await command(tg, LAB_ID, "/forget")
            assert confirm == text("bot.forget_confirm")
            question = tg.sent("sendMessage", LAB_ID)[-1]
            buttons = [
                b["callback_data"] for row in question.params["reply_markup"]["inline_keyboard"] for b in row
            ]
            assert buttons == [f"forget:{LAB_ID}:yes", f"forget:{LAB_ID}:no"]
            message = question.params["_result"]
            answered = len(tg.sent("answerCallbackQuery"))
            await tg.push_callback(OTHER_ID, message, buttons[0])
            await tg.wait_sent(answered + 1, "answerCallbackQuery")
            assert tg.sent("answerCallbackQuery")[-1].params["text"] == text("bot.forget_not_yours")

            await tg.push_callback(LAB_ID, message, buttons[0])
            edits = await tg.wait_sent(1, "editMessageText")
            assert edits[0].params["_result"]["text"] == text("bot.forget_done")
            await tg.push_callback(LAB_ID, message, buttons[0])  # a second tap: "message is not modified"
            await tg.wait_sent(answered + 3, "answerCallbackQuery")
            await tg.settle()
            assert text("bot.error") not in shown(tg, LAB_ID)
            assert not tg._open_callbacks

            (after,) = await command(tg, LAB_ID, "/history")
            assert after == text("bot.history_empty")

    run(scenario)


def test_roles_and_inspector_commands(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    code = credit_code(777)

    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            assert await command(tg, LAB_ID, "/stats") == [text("bot.not_inspector")]
            assert await command(tg, LAB_ID, "/outreach_start 康源") == [text("bot.not_inspector")]
            assert await command(tg, LAB_ID, f"/grant {LAB_ID}") == [text("bot.not_admin")]

            assert await command(tg, ADMIN_ID, "/grant") == [text("bot.grant_usage")]
            assert await command(tg, ADMIN_ID, f"/grant {INSPECTOR_ID} 王检查") == [
                text("bot.grant_ok", name="王检查")
            ]
            await command(tg, ADMIN_ID, f"/unit_add 康源实验动物技术有限公司 {code} 实验动物")
            await command(tg, LAB_ID, f"/register 康源实验动物技术有限公司 {code}")

            (dated,) = await command(tg, INSPECTOR_ID, "/outreach_start 康源 2026-13-40")
            assert dated == say("onsite.start_not_a_date", value="2026-13-40")
            (started,) = await command(tg, INSPECTOR_ID, "/outreach_start 康源 2026-001")
            assert started == text("bot.outreach_started", unit="康源实验动物技术有限公司")
            (again,) = await command(tg, INSPECTOR_ID, "/outreach_start 康源")
            assert again.startswith(text("bot.outreach_failed", reason="").rstrip())
            await command(tg, INSPECTOR_ID, "实验动物的饲养室需要分开吗？")
            (many,) = await command(tg, INSPECTOR_ID, "/outreach_end 很多")
            assert "您填写的是“很多”" in many and many.endswith(text("bot.outreach_end_usage"))
            (negative,) = await command(tg, INSPECTOR_ID, "/outreach_end -5")
            assert "参加人数应为不小于 0 的整数" in negative
            (ended,) = await command(tg, INSPECTOR_ID, "/outreach_end 12 讲解了分开饲养")
            assert ended == text("bot.outreach_ended", attendees=12)

            stats = await command(tg, INSPECTOR_ID, "/stats")
            assert stats and "普法" in stats[0]
            photo = (await tg.wait_sent(1, "sendPhoto", chat_id=INSPECTOR_ID))[0]
            assert photo.files["photo"][1].startswith(b"\x89PNG")

            await tg.push_text(INSPECTOR_ID, "/export csv")
            await tg.push_text(ADMIN_ID, "/export xlsx")
            documents = await tg.wait_sent(2, "sendDocument")
            names = sorted(call.files["document"][0] for call in documents)
            assert names[0].endswith(".csv") and names[1].endswith(".xlsx")
            csv_bytes = next(
                c.files["document"][1] for c in documents if c.files["document"][0].endswith(".csv")
            )
            assert "康源实验动物技术有限公司" in csv_bytes.decode("utf-8-sig")
            assert await command(tg, INSPECTOR_ID, "/export 1999 pdf") == [text("bot.export_usage")]

            assert await command(tg, ADMIN_ID, f"/revoke {ADMIN_ID}") == [
                text("bot.revoke_admin", name=str(ADMIN_ID))
            ]
            assert await command(tg, ADMIN_ID, f"/revoke {INSPECTOR_ID}") == [
                text("bot.revoke_ok", name=str(INSPECTOR_ID))
            ]
            assert await command(tg, INSPECTOR_ID, "/export") == [text("bot.not_inspector")]

    run(scenario)
    assert bot_store.people.role_of(f"tg:{INSPECTOR_ID}") == "lab"
