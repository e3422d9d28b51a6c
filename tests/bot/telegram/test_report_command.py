"""/report 年份 through the real Application and the fake Bot API: admins get the annual report as Word."""

from __future__ import annotations

import io

import docx

from bot.records.services import Records
from bot.render import text
from bot.settings import Settings
from knowledge.templates import text as template
from tests.bot.telegram.test_commands import command
from tests.support.telegram_fixtures import ADMIN_ID, LAB_ID, run, running_bot


def test_report_is_for_admins_and_sends_the_annual_report(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            assert await command(tg, LAB_ID, "/report 2026") == [text("bot.not_admin")]
            assert await command(tg, ADMIN_ID, "/report 2026 xlsx") == [template("annual", "bot.usage")]
            await tg.push_text(ADMIN_ID, "/report 2026")
            (sent,) = await tg.wait_sent(1, "sendDocument", chat_id=ADMIN_ID)
            name, content = sent.files["document"]
            assert name == "2026年执法普法工作情况报告.docx"
            document = docx.Document(io.BytesIO(content))
            headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
            assert headings[0] == "一、基本情况" and len(headings) >= 6 and len(document.inline_shapes) >= 2

    run(scenario)
