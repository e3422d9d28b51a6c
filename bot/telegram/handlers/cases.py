"""/cases [词]: typical cases (以案释法) for everyone; /brief 单位: the pre-inspection briefing (inspectors)."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import datetime
from pathlib import Path

from telegram import Update
from telegram.constants import ChatAction

from bot.briefing import writers
from bot.briefing.content import build_briefing
from bot.briefing.outline import briefing_outline, handout_outline
from bot.records.calendar import REPORT_TZ
from bot.records.models import MATERIALS
from bot.render import render_cases_html
from bot.telegram.base import Context, deps, is_private, person_key, reply_text, send_parts
from bot.telegram.handlers.inspector import requires
from knowledge.cases.lookup import cite_case, find_cases
from knowledge.templates import text


async def on_cases(update: Update, context: Context) -> None:
    """Without words: a line per case; with words (or an article): the matching cases in full."""
    query = " ".join(context.args or []).strip()
    library = deps(context).assistant.library
    found = await asyncio.to_thread(lambda: [cite_case(library, c) for c in find_cases(library, query)])
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None, "commands come from chats"
    reply_to = message.message_id if message and not is_private(update) else None
    await send_parts(context, chat.id, render_cases_html(query, found), reply_to)


@requires("inspector")
async def on_brief(update: Update, context: Context) -> None:
    """/brief 单位: the pre-inspection briefing as a Word file; recorded with the inspector's open on-site
    session when it is at that unit."""
    query = " ".join(context.args or []).strip()
    chat, user = update.effective_chat, update.effective_user
    if not query or chat is None or user is None:
        await reply_text(update, context, text("briefing", "bot.usage"))
        return
    store, library = deps(context).records, deps(context).assistant.library
    on = datetime.now(REPORT_TZ).date()
    briefing = await asyncio.to_thread(build_briefing, store, library, query, on)
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    handout = handout_outline(briefing, context.bot.username or "")  # the bot's own @name, from getMe
    with tempfile.TemporaryDirectory(prefix="pufa-brief-") as tmp:
        out = await asyncio.to_thread(writers.write, briefing_outline(briefing), Path(tmp) / "brief.docx")
        caption = text("briefing", "bot.caption", unit=briefing.unit.name, date=on.isoformat())
        filename = f"{briefing.unit.name}-检查前简报-{on.isoformat()}.docx"
        await context.bot.send_document(chat.id, out.read_bytes(), filename=filename, caption=caption)
        sheet = await asyncio.to_thread(writers.write, handout, Path(tmp) / "handout.docx", True)
        caption = text("briefing", "bot.handout_caption", unit=briefing.unit.name, date=on.isoformat())
        filename = f"{briefing.unit.name}-合规告知书-{on.isoformat()}.docx"
        await context.bot.send_document(chat.id, sheet.read_bytes(), filename=filename, caption=caption)
    session = await asyncio.to_thread(store.sessions.current, person_key(user))
    if session is not None and session.unit.id == briefing.unit.id:
        cases = [cited.id for cited in briefing.cases]
        record = store.materials.record
        await asyncio.to_thread(record, session.id, session.unit.id, MATERIALS, on, cases)
        await reply_text(update, context, text("briefing", "bot.recorded", unit=session.unit.name))
