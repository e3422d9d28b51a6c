"""Admin uploads are bounded (the probe: a 1.4 MB xlsx of 2M rows took 2.6 GB and 200 s and got ~23,000
reply messages): sizes are checked before parsing, an xlsx by what its zip really unpacks to, rows are
counted while read, and the result is one reply with the full list attached."""

from __future__ import annotations

import resource

from bot.records.messages import text as records_text
from bot.records.services import Records
from bot.settings import Settings
from bot.telegram.sentences import say
from tests.support.fake_telegram import FakeTelegram
from tests.support.outreach import credit_code
from tests.support.spreadsheets import bomb_xlsx
from tests.support.telegram_fixtures import ADMIN_ID, run, running_bot, shown

HEADER = "单位名称,统一社会信用代码,领域\n"


def wrong_check_digit(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


async def upload(tg: FakeTelegram, name: str, content: bytes) -> tuple[list[str], list]:
    """Send ``content`` as the admin; (every message the bot replied, every document it sent)."""
    await tg.push_document(ADMIN_ID, name, content)
    await tg.wait_sent(1, chat_id=ADMIN_ID, timeout=120)
    await tg.settle(3)
    return shown(tg, ADMIN_ID), tg.sent("sendDocument", ADMIN_ID)


def test_many_bad_rows_get_one_reply_and_the_full_list_attached(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    bad = "".join(f"单位{n},{wrong_check_digit(credit_code(n))},实验动物\n" for n in range(1, 1501))

    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            replies, documents = await upload(tg, "units.csv", (HEADER + bad).encode())
            assert len(replies) == 1, "one reply, never one message per row"
            assert "未导入任何数据：1500 行有错误" in replies[0] and replies[0].count("\n  第") == 10
            (document,) = documents
            _, listed = document.files["document"]
            assert listed.decode().count("统一社会信用代码") >= 1500

    run(scenario)
    assert bot_store.units.list() == []


def test_too_many_rows_are_refused_in_one_line(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    limit = bot_settings.upload_max_rows
    rows = "".join(f"单位{n},{credit_code(n)},实验动物\n" for n in range(1, limit + 2))

    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            replies, documents = await upload(tg, "units.csv", (HEADER + rows).encode())
            assert replies == [records_text("sheet.too_many_rows", name="units.csv", limit=limit)]
            assert documents == []

    run(scenario)
    assert bot_store.units.list() == []


def test_an_upload_bomb_is_refused_by_what_it_unpacks_to_with_memory_bounded(
    bot_settings: Settings, assistant: object, bot_store: Records
) -> None:
    bomb = bomb_xlsx(300)
    assert len(bomb) < bot_settings.upload_max_bytes, "small enough to pass the download size check"

    async def scenario() -> None:
        async with running_bot(bot_settings, assistant, bot_store) as tg:
            before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            replies, documents = await upload(tg, "units.xlsx", bomb)
            grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kb) / 1024
            limit_mb = bot_settings.upload_max_bytes * 20 // (1024 * 1024)
            assert replies == [records_text("sheet.unpacks_too_large", name="units.xlsx", limit=limit_mb)]
            assert documents == [] and grown_mb < 200

    run(scenario)
    assert say("upload.too_large", size=1, limit=1)  # the download check keeps its sentence
