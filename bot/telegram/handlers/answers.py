"""Questions in, answers out: the text handler, the answer buttons (👍 / 👎 / 查看原文), non-text notes."""

from __future__ import annotations

import asyncio
import logging
import math

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.records.turns.answer import Asker, record_answer
from bot.records.turns.claims import Claim, source_uid, telegram_key
from bot.render import render_html, render_quoted_html, text
from bot.telegram.base import (
    Context,
    TurnMemo,
    addressed_text,
    deps,
    display_name,
    is_private,
    person_key,
    reply_key,
    send_parts,
    while_typing,
)
from bot.telegram.inbox import Received

logger = logging.getLogger("bot.telegram")


def answer_keyboard(uid: str, has_sources: bool) -> InlineKeyboardMarkup:
    """👍 / 👎 (and 查看原文 when the answer cites articles); callback_data stays under 64 bytes."""
    row = [
        InlineKeyboardButton(text("bot.button_up"), callback_data=f"fb:+:{uid}"),
        InlineKeyboardButton(text("bot.button_down"), callback_data=f"fb:-:{uid}"),
    ]
    if has_sources:
        row.append(InlineKeyboardButton(text("bot.button_source"), callback_data=f"src:{uid}"))
    return InlineKeyboardMarkup([row])


async def allow_question(update: Update, context: Context) -> bool:
    """Apply the per-user question limit, telling the user politely when it is reached."""
    user = update.effective_user
    assert user is not None, "questions come from users"
    limiter = deps(context).limiter
    wait = limiter.check(user.id)
    if not wait:
        return True
    if limiter.first_notice(user.id, wait):
        await reply_key(
            update, context, "bot.rate_limited", limit=limiter.per_minute, seconds=math.ceil(wait)
        )
    return False


async def on_question(update: Update, context: Context) -> None:
    """Journal a text message, claim it, answer it, log the turn, and send the answer with buttons."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    question = addressed_text(message, context.bot.id, context.bot.username)
    if question is None:
        return
    if not question.strip():
        await reply_key(update, context, "bot.empty_question", example=text("bot.question_example"))
        return
    if not await allow_question(update, context):
        return
    received = Received(
        uid=source_uid(telegram_key(context.bot.id, message.chat_id, message.message_id)),
        chat_id=message.chat_id,
        message_id=message.message_id,
        user_id=user.id,
        display_name=display_name(user),
        question=question,
        asked_at=message.date,
        bot_id=context.bot.id,
        update_id=update.update_id,
    )
    await answer_once(context, received)


async def answer_once(context: Context, received: Received, take_from: str | None = None) -> None:
    """Journal ``received``, claim it in the database, and answer it unless another delivery of the same
    message was (or is being) answered; ``take_from`` names a process known gone whose claim is taken over."""
    d = deps(context)
    while (busy := d.answering.get(received.uid)) is not None:
        if take_from is None:
            return  # the same message is being answered here already (redelivered while answering)
        # Adopted while its redelivery is in flight: that attempt finds the claim of the process that is gone
        # and leaves it; once it ends, this one takes the claim over (or finds the question answered).
        await busy.wait()
    done = d.answering[received.uid] = asyncio.Event()
    try:
        await asyncio.to_thread(d.inbox.received, received)
        claims = d.records.claims
        claim = await asyncio.to_thread(claims.claim, received.source, d.inbox.owner, take_from=take_from)
        if claim is Claim.TAKEN:
            logger.info("question %s answered elsewhere; not answered again", received.uid)
            await asyncio.to_thread(d.inbox.answered, received.uid)
            return
        try:
            await answer_received(context, received)
        except Exception:
            # the error handler tells the user; replaying a question that fails would fail at every start
            await asyncio.to_thread(d.inbox.answered, received.uid)
            raise
    finally:
        del d.answering[received.uid]
        done.set()


async def answer_received(context: Context, received: Received) -> None:
    """Answer a journaled, claimed question: the turn is logged (database or spool) before the reply is sent."""
    d = deps(context)
    asker = Asker(person_key=f"tg:{received.user_id}", display_name=received.display_name, channel="telegram")
    answer, record = await while_typing(
        context,
        received.chat_id,
        d.think(
            lambda: record_answer(
                d.conversations.of(f"tg:{received.chat_id}:{received.user_id}", d.assistant),
                d.records.turns,
                received.question,
                asker,
                asked_at=received.asked_at,
                uid=received.uid,
            )
        ),
    )
    d.turns.remember(record.uid, TurnMemo(received.user_id, tuple(answer.citations)))
    keyboard = answer_keyboard(record.uid, bool(answer.citations))
    await send_parts(context, received.chat_id, render_html(answer), received.message_id, keyboard)
    await asyncio.to_thread(d.records.claims.answered, received.uid)
    await asyncio.to_thread(d.inbox.answered, received.uid)


async def on_non_text(update: Update, context: Context) -> None:
    """Photos, stickers, voice, files, locations…: say that pufa reads text questions."""
    message = update.effective_message
    if message is None:
        return
    replied = message.reply_to_message
    to_bot = bool(replied and replied.from_user and replied.from_user.id == context.bot.id)
    if is_private(update) or to_bot:
        await reply_key(update, context, "bot.non_text")


async def on_unknown_command(update: Update, context: Context) -> None:
    """An unknown /command in a private chat: point to /help."""
    if is_private(update):
        await reply_key(update, context, "bot.unknown_command")


async def on_feedback_button(update: Update, context: Context) -> None:
    """👍 / 👎 under an answer: recorded with the turn, only from the person who asked."""
    query = update.callback_query
    assert query is not None and query.data is not None, "registered for callback queries with data"
    _, sign, uid = query.data.split(":", 2)
    d = deps(context)
    memo = d.turns.get(uid)
    owner = f"tg:{memo.owner_id}" if memo else await asyncio.to_thread(d.records.turns.owner, uid)
    if owner is not None and owner != person_key(query.from_user):
        await query.answer(text("bot.feedback_not_yours"), show_alert=False)
        return
    recorded = await asyncio.to_thread(d.records.turns.record_feedback, uid, 1 if sign == "+" else -1)
    await query.answer(text("bot.feedback_recorded" if recorded else "bot.feedback_unknown"))


async def on_source_button(update: Update, context: Context) -> None:
    """查看原文: the full text of every article the answer cited."""
    query = update.callback_query
    assert query is not None and query.data is not None, "registered for callback queries with data"
    uid = query.data.split(":", 1)[1]
    d = deps(context)
    memo = d.turns.get(uid)
    if memo is None:
        await query.answer(text("bot.source_expired"), show_alert=True)
        return
    if not memo.refs:
        await query.answer(text("bot.source_none"))
        return
    await query.answer()
    quoted = await d.think(lambda: [d.assistant.quote(ref) for ref in memo.refs])
    chat_id = query.message.chat.id if query.message else query.from_user.id
    reply_to = query.message.message_id if query.message else None
    await send_parts(context, chat_id, render_quoted_html(quoted), reply_to)


async def on_unknown_button(update: Update, context: Context) -> None:
    """A button this version does not know (e.g. from before a restart): answered, never left spinning."""
    query = update.callback_query
    assert query is not None, "registered for callback queries"
    try:
        await query.answer(text("bot.callback_unknown"))
    except BadRequest:  # the query is too old to answer; nothing else to do
        return
