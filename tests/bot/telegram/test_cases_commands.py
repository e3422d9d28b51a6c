"""/cases and /brief through the real Application and the fake Bot API, with the real assistant and log."""

from __future__ import annotations

import io
from datetime import datetime

import docx

from bot.records.calendar import REPORT_TZ
from bot.records.messages import text as outreach_text
from bot.records.services import Records
from bot.records.units.register import UnitInput
from bot.render import text
from bot.settings import Settings
from knowledge.templates import text as template
from tests.bot.telegram.test_commands import command, credit_code
from tests.support.telegram_fixtures import ADMIN_ID, INSPECTOR_ID, LAB_ID, run, running_bot


def test_cases_lists_searches_and_explains(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            (listing,) = await command(tg, LAB_ID, "/cases")
            assert listing.startswith(template("cases", "bot.header", count=6))
            assert "阿斯利康投资（中国）有限公司案（2018年）" in listing and "wuxi-serum-export-2016" not in listing
            (found,) = await command(tg, LAB_ID, "/cases 出境")
            assert found.startswith("典型案例") and "5165份" in found and "暂行办法" in found
            assert "现行规定：《中华人民共和国人类遗传资源管理条例》第二十七条" in found
            assert await command(tg, LAB_ID, "/cases 混养") == [template("cases", "bot.none", query="混养")]

    run(scenario)


def test_brief_sends_word_and_records_it_with_the_open_session(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    code = credit_code(888)

    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            assert await command(tg, LAB_ID, "/brief 康源") == [text("bot.not_inspector")]
            await command(tg, ADMIN_ID, f"/grant {INSPECTOR_ID} 王检查")
            bot_store.units.add(UnitInput("康源基因检测有限公司", code, ("human_genetic_resources",)))
            assert await command(tg, INSPECTOR_ID, "/brief") == [template("briefing", "bot.usage")]
            (unknown,) = await command(tg, INSPECTOR_ID, "/brief 不存在的单位")
            assert outreach_text("errors.unit_unknown", query="不存在的单位") in unknown

            await command(tg, INSPECTOR_ID, "/outreach_start 康源 2026-009")
            (recorded,) = await command(tg, INSPECTOR_ID, "/brief 康源")
            assert recorded == template("briefing", "bot.recorded", unit="康源基因检测有限公司")
            sent, handout = await tg.wait_sent(2, "sendDocument", chat_id=INSPECTOR_ID)
            name, content = sent.files["document"]
            assert name.startswith("康源基因检测有限公司-检查前简报-") and name.endswith(".docx")
            document = docx.Document(io.BytesIO(content))
            headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
            assert headings[0] == "一、单位概况" and headings[-1] == "五、典型案例"
            name, content = handout.files["document"]
            assert name.startswith("康源基因检测有限公司-合规告知书-")
            sheet = docx.Document(io.BytesIO(content))
            assert len(sheet.inline_shapes) == 1  # the QR code leading to the bot
            assert any("签收" in p.text for p in sheet.paragraphs)

    run(scenario)
    (used,) = bot_store.materials.of_year(datetime.now(REPORT_TZ).year)
    assert set(used.kinds) == {"briefing", "handout"} and "wuxi-serum-export-2016" in used.case_ids
