"""/cases [词]: typical cases (以案释法) for everyone."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.render import Block, Section, case_section, pack_html
from bot.telegram.base import Context, deps, is_private, send_parts
from knowledge.cases.lookup import cite_case, find_cases
from knowledge.cases.model import CitedCase
from knowledge.templates import text


async def on_cases(update: Update, context: Context) -> None:
    """Without words: a line per case; with words (or an article): the matching cases in full."""
    query = " ".join(context.args or []).strip()
    library = deps(context).assistant.library
    found = await asyncio.to_thread(lambda: [cite_case(library, c) for c in find_cases(library, query)])
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None, "commands come from chats"
    reply_to = message.message_id if message and not is_private(update) else None
    await send_parts(context, chat.id, pack_html(_sections(query, found)), reply_to)


def _sections(query: str, found: list[CitedCase]) -> list[Section]:
    if not found:
        return [[[Block(text("cases", "bot.none", query=query))]]]
    if query:
        return [case_section(found)]
    header = Block(text("cases", "bot.header", count=len(found)), "b")
    lines = [
        [Block(text("cases", "bot.line", index=i, party=c.case.party, lesson=c.case.lesson, id=c.id))]
        for i, c in enumerate(found, 1)
    ]
    return [[[header, *lines[0]], *lines[1:]]]
