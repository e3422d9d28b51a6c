"""The bureau's records in Telegram: the guided /onsite conversation, the register for admins,
self-registration, and spreadsheets sent as documents — real Application, fake Bot API."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

from openpyxl import Workbook

from bot.records.calendar import REPORT_TZ
from bot.records.services import Records
from bot.render import text
from bot.settings import Settings
from bot.telegram.sentences import say
from tests.support.fake_telegram import FakeTelegram
from tests.support.outreach import credit_code
from tests.support.telegram_fixtures import ADMIN_ID, INSPECTOR_ID, LAB_ID, command, run, running_bot, shown

MICE = credit_code(1)
GENOMICS = credit_code(2)
TODAY = datetime.now(REPORT_TZ).date()  # the bureau's calendar
PAST = TODAY - timedelta(days=10)




async def press(telegram: FakeTelegram, user_id: int, data: str) -> list[str]:
    """Press the button ``data`` under the bot's latest message to ``user_id``."""
    before = len(telegram.sent("sendMessage", user_id))
    latest = telegram.sent("sendMessage", user_id)[-1]
    buttons = [b["callback_data"] for row in latest.params["reply_markup"]["inline_keyboard"] for b in row]
    assert data in buttons, buttons
    await telegram.push_callback(user_id, latest.params["_result"], data)
    await telegram.wait_sent(before + 1, chat_id=user_id)
    await telegram.settle(2)
    return shown(telegram, user_id)[before:]


async def upload(
    telegram: FakeTelegram, user_id: int, name: str, content: bytes, caption: str | None = None
) -> str:
    before = len(telegram.sent("sendMessage", user_id))
    await telegram.push_document(user_id, name, content, caption)
    await telegram.wait_sent(before + 1, chat_id=user_id)
    await telegram.settle(2)
    return "\n".join(shown(telegram, user_id)[before:])


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def setup_register(tg: FakeTelegram) -> None:
    await command(tg, ADMIN_ID, f"/grant {INSPECTOR_ID} 王检查")
    (added,) = await command(
        tg, ADMIN_ID, f"/unit_add 康源实验动物技术有限公司 {MICE} 实验动物 SYXK(京)2024-0001"
    )
    assert added == say("units.added", name="康源实验动物技术有限公司", code=MICE, domains="实验动物")
    await command(tg, ADMIN_ID, f"/unit_add 华基因组科技有限公司 {GENOMICS} 人类遗传资源")


def test_guided_onsite_conversation(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            assert await command(tg, LAB_ID, "/onsite") == [text("bot.not_inspector")]
            (empty,) = await command(tg, INSPECTOR_ID, "/onsite")
            assert empty == text("bot.not_inspector")  # not granted yet
            await setup_register(tg)

            (ask,) = await command(tg, INSPECTOR_ID, "/onsite")
            assert ask == say("onsite.ask_unit")
            (date_question,) = await press(tg, INSPECTOR_ID, f"onsite:unit:{MICE}")
            assert date_question.startswith(say("onsite.unit_chosen", unit="康源实验动物技术有限公司"))
            (bad_date,) = await command(tg, INSPECTOR_ID, "2026-13-40")
            assert "日期“2026-13-40”无效" in bad_date and "/cancel" in bad_date
            (future,) = await command(tg, INSPECTOR_ID, (TODAY + timedelta(days=3)).isoformat())
            assert "晚于今天" in future
            (attendees_question,) = await command(tg, INSPECTOR_ID, PAST.isoformat())
            assert attendees_question.endswith(say("onsite.ask_attendees"))
            (negative,) = await command(tg, INSPECTOR_ID, "-5")
            assert "参加人数应为不小于 0 的整数" in negative
            (topic_question,) = await command(tg, INSPECTOR_ID, "25")
            assert topic_question == say("onsite.ask_topic")
            (saved,) = await command(tg, INSPECTOR_ID, "实验动物许可管理")
            assert saved.startswith("已登记现场普法活动") and f"日期：{PAST.isoformat()}" in saved

            # by name, with the "today" button and /skip
            await command(tg, INSPECTOR_ID, "/onsite")
            (unknown,) = await command(tg, INSPECTOR_ID, "不存在的单位")
            assert "执法对象库中没有单位“不存在的单位”" in unknown
            await command(tg, INSPECTOR_ID, "华基因")
            (typed_today,) = await command(tg, INSPECTOR_ID, "今天")
            assert typed_today.startswith(say("onsite.date_chosen", date=TODAY.isoformat()))
            await command(tg, INSPECTOR_ID, "/cancel")
            await command(tg, INSPECTOR_ID, "/onsite")
            await command(tg, INSPECTOR_ID, "华基因")
            await press(tg, INSPECTOR_ID, "onsite:today")
            await command(tg, INSPECTOR_ID, "12")
            (skipped,) = await command(tg, INSPECTOR_ID, "/skip")
            assert "主题：—" in skipped and "人类遗传资源" in skipped

            # /cancel at any step stores nothing
            await command(tg, INSPECTOR_ID, "/onsite")
            await press(tg, INSPECTOR_ID, f"onsite:unit:{MICE}")
            assert await command(tg, INSPECTOR_ID, "/cancel") == [say("onsite.cancelled")]
            assert text("bot.error") not in shown(tg, INSPECTOR_ID)

    run(scenario)
    log = bot_store.sessions
    sessions = log.list(PAST.year) + (log.list(TODAY.year) if PAST.year != TODAY.year else [])
    by_unit = {s.unit.credit_code: s for s in sessions}
    assert len(sessions) == 2
    assert (by_unit[MICE].attendees, by_unit[MICE].topic, by_unit[MICE].domains) == (
        25,
        "实验动物许可管理",
        ("lab_animals",),
    )
    assert by_unit[MICE].inspectors == ("王检查",) and by_unit[MICE].recorded_by == f"tg:{INSPECTOR_ID}"
    assert by_unit[GENOMICS].attendees == 12


def test_register_links_or_queues_and_questions_join_the_open_session(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    unknown = credit_code(99)

    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            await setup_register(tg)
            (linked,) = await command(tg, LAB_ID, f"/register 康源 {MICE}")
            assert linked == say("units.linked", unit="康源实验动物技术有限公司", code=MICE)
            (queued,) = await command(tg, 7010, f"/register 新来的生物公司 {unknown}")
            assert queued.startswith(f"执法对象库中暂无统一社会信用代码为 {unknown} 的单位")
            (listing,) = await command(tg, ADMIN_ID, "/unit_requests")
            assert "新来的生物公司" in listing
            request_id = bot_store.units.pending()[0].id
            assert await command(tg, INSPECTOR_ID, f"/unit_confirm {request_id} 实验动物") == [
                text("bot.not_admin")
            ]
            (confirmed,) = await command(tg, ADMIN_ID, f"/unit_confirm {request_id} 实验动物")
            assert confirmed == say("units.confirmed", name="新来的生物公司", code=unknown)
            (updated,) = await command(tg, ADMIN_ID, "/unit_update 新来的 地址=北京市 海淀区 联系人=赵六")
            assert "地址：北京市 海淀区" in updated and "联系人：赵六" in updated
            (bad_field,) = await command(tg, ADMIN_ID, "/unit_update 新来的 电话=123")
            assert bad_field == say("units.update_bad_field", part="电话=123")
            (units,) = await command(tg, INSPECTOR_ID, "/units")
            assert units.startswith(say("units.list_header", count=3))

            await command(tg, INSPECTOR_ID, "/outreach_start 康源")
            await command(tg, LAB_ID, "实验动物的饲养室需要分开吗？")
            await command(tg, INSPECTOR_ID, "/outreach_end 20 现场答疑")

    run(scenario)
    (session,) = bot_store.sessions.list(TODAY.year)
    assert session.questions == 1 and session.unit.credit_code == MICE
    assert bot_store.reports.stats(TODAY.year).online == 0


def test_admin_uploads_spreadsheets(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    header = ["单位名称", "统一社会信用代码", "领域", "许可证号", "地址", "联系人"]
    units = xlsx(
        [
            header,
            ["康源实验动物技术有限公司", MICE, "实验动物", "", "", ""],
            ["坏代码单位", MICE[:-1] + ("0" if MICE[-1] != "0" else "1"), "实验动物", "", "", ""],
            ["华基因组科技有限公司", GENOMICS, "人类遗传资源", "", "", ""],
        ]
    )
    sessions_csv = (
        "日期,单位,参加人数,主题\n"
        f"{PAST.isoformat()},康源实验动物技术有限公司,30,许可\n"
        f"{PAST.isoformat()},{GENOMICS},abc,采集\n"
    ).encode("utf-8-sig")

    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            refused = await upload(tg, ADMIN_ID, "units.xlsx", units)
            assert refused.startswith(say("upload.units_title", name="units.xlsx"))
            assert (
                "未导入任何数据：1 行有错误" in refused and "第3行：统一社会信用代码校验位不正确" in refused
            )
            assert f"或加 {say('upload.partial_flag')} 只导入正确的行" in refused and "--partial" not in refused
            assert bot_store.units.list() == []
            accepted = await upload(tg, ADMIN_ID, "units.xlsx", units, caption="部分导入")
            assert "新增 2 条，已存在 0 条" in accepted and "拒绝 1 行" in accepted
            assert "第2行：新增 康源实验动物技术有限公司" in accepted

            sessions = await upload(tg, ADMIN_ID, "sessions.csv", sessions_csv, caption="部分导入")
            assert sessions.startswith(say("upload.sessions_title", name="sessions.csv"))
            assert "新增 1 条，已存在 0 条" in sessions and "拒绝 1 行" in sessions
            assert "第3行：参加人数应为不小于 0 的整数" in sessions

            odd = await upload(tg, ADMIN_ID, "odd.csv", "姓名,电话\n张三,1\n".encode())
            assert odd == say("upload.kind_unknown", name="odd.csv")
            broken = await upload(tg, ADMIN_ID, "broken.xlsx", b"not a workbook")
            assert "broken.xlsx：不是有效的 .xlsx 文件" in broken
            assert await upload(tg, ADMIN_ID, "notes.pdf", b"%PDF") == say("upload.wrong_type")
            assert await upload(tg, LAB_ID, "units.xlsx", units) == text("bot.non_text")
            assert text("bot.error") not in shown(tg, ADMIN_ID)

    run(scenario)
    assert [u.name for u in bot_store.units.list()] == [
        "华基因组科技有限公司",
        "康源实验动物技术有限公司",
    ]
    (session,) = bot_store.sessions.list(PAST.year)
    assert (session.attendees, session.recorded_by) == (30, f"tg:{ADMIN_ID}")
