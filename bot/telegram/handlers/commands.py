"""Commands open to everyone: /start /help /cite /search /laws /feedback /history /forget."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.render import render_hits_html, render_quoted_html, render_text_html, text
from bot.telegram.base import (
    Context,
    deps,
    is_private,
    person_key,
    reply_key,
    reply_text,
    send_parts,
)
from bot.telegram.handlers.answers import allow_question
from knowledge.templates import text as template_text

logger = logging.getLogger("bot.telegram")
feedback_logger = logging.getLogger("bot.feedback")


def _argument(context: ContextTypes.DEFAULT_TYPE) -> str:
    return " ".join(context.args or []).strip()


def _reply_to(update: Update) -> int | None:
    message = update.effective_message
    return message.message_id if message and not is_private(update) else None


async def _role(update: Update, context: Context) -> str:
    user = update.effective_user
    assert user is not None, "commands come from users"
    return await asyncio.to_thread(deps(context).records.people.role_of, person_key(user))


async def on_start(update: Update, context: Context) -> None:
    await reply_text(update, context, text("bot.start", notice=text("bot.notice")))


async def on_help(update: Update, context: Context) -> None:
    role = await _role(update, context)
    sections = [text("bot.help")]
    if role in ("inspector", "admin"):
        sections.append(text("bot.help_inspector"))
    if role == "admin":
        sections.append(text("bot.help_admin"))
    await reply_text(update, context, "\n\n".join(sections))


async def on_cite(update: Update, context: Context) -> None:
    reference = _argument(context)
    if not reference:
        await reply_key(update, context, "bot.empty_question", example=text("bot.cite_example"))
        return
    if not await allow_question(update, context):
        return
    result = await deps(context).think(deps(context).assistant.cite, reference)
    chat = update.effective_chat
    assert chat is not None, "commands come from chats"
    if not result.found:
        await reply_text(update, context, result.message)
        return
    await send_parts(context, chat.id, render_quoted_html(result.quotes), _reply_to(update))


async def on_search(update: Update, context: Context) -> None:
    question = _argument(context)
    if not question:
        await reply_key(update, context, "bot.empty_question", example=text("bot.search_example"))
        return
    if not await allow_question(update, context):
        return
    hits = await deps(context).think(deps(context).assistant.search, question, 5)
    chat = update.effective_chat
    assert chat is not None, "commands come from chats"
    await send_parts(context, chat.id, render_hits_html(question, hits), _reply_to(update))


async def on_laws(update: Update, context: Context) -> None:
    listing = await deps(context).think(deps(context).assistant.laws_text)
    chat = update.effective_chat
    assert chat is not None, "commands come from chats"
    await send_parts(context, chat.id, render_text_html(listing), _reply_to(update))


async def on_feedback(update: Update, context: Context) -> None:
    """/feedback 内容: free-text suggestions go to the log (the store has no table for them)."""
    body = _argument(context)
    if not body:
        await reply_key(update, context, "bot.empty_question", example=text("bot.feedback_example"))
        return
    user = update.effective_user
    assert user is not None, "commands come from users"
    feedback_logger.info("feedback from %s: %s", person_key(user), body)
    await reply_key(update, context, "bot.feedback_thanks")


async def on_history(update: Update, context: Context) -> None:
    """The user's latest questions: only in a private chat, never posted to a group."""
    user = update.effective_user
    assert user is not None, "commands come from users"
    if not is_private(update):
        await reply_text(update, context, template_text("robust", "bot.history_private_only"))
        return
    items = await asyncio.to_thread(deps(context).records.people.history, person_key(user))
    if not items:
        await reply_key(update, context, "bot.history_empty")
        return
    lines = [text("bot.history_header")]
    for item in items:
        when = item.asked_at.astimezone().strftime("%Y-%m-%d %H:%M")
        lines.append(text("bot.history_line", when=when, question=item.question, cited=len(item.citations)))
    await reply_text(update, context, "\n".join(lines))


def _forget_keyboard(user_id: int) -> InlineKeyboardMarkup:
    """确认删除 / 取消, bound to the user who asked (``forget:<user id>:yes|no``)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(text("bot.button_forget_yes"), callback_data=f"forget:{user_id}:yes"),
                InlineKeyboardButton(text("bot.button_forget_no"), callback_data=f"forget:{user_id}:no"),
            ]
        ]
    )


async def on_forget(update: Update, context: Context) -> None:
    """/forget asks for confirmation with two buttons."""
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None and user is not None, "commands come from users in chats"
    parts = render_text_html(text("bot.forget_confirm"))
    await send_parts(context, chat.id, parts, _reply_to(update), keyboard=_forget_keyboard(user.id))


async def on_forget_button(update: Update, context: Context) -> None:
    """确认删除 / 取消 under the /forget question (only its asker's press counts); the question is edited."""
    query = update.callback_query
    assert query is not None and query.data is not None, "registered for callback queries with data"
    _, owner, choice = query.data.split(":")
    if int(owner) != query.from_user.id:
        await query.answer(text("bot.forget_not_yours"))
        return
    await query.answer()
    if choice == "yes":
        d = deps(context)
        await asyncio.to_thread(d.records.people.forget, person_key(query.from_user))
        d.turns.forget_owner(query.from_user.id)
        outcome = text("bot.forget_done")
    else:
        outcome = text("bot.forget_cancelled")
    try:
        await query.edit_message_text(render_text_html(outcome)[0], parse_mode="HTML")
    except BadRequest as exc:  # pressed twice: "message is not modified"
        if "not modified" not in str(exc):
            raise
