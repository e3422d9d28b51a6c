"""/onsite: an inspector records an on-site session as a guided conversation (unit from the register,
date defaulting to today, attendees, topic; /cancel at any step)."""

from __future__ import annotations

import asyncio
import warnings
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot.records.errors import RecordsError
from bot.records.sessions.records import SessionInput
from bot.records.validate import parse_attendees, parse_date
from bot.render import render_text_html
from bot.telegram.base import Context, deps, person_key, reply_key, reply_text, send_parts
from bot.telegram.handlers.units import domain_names
from bot.telegram.sentences import say

UNIT, DAY, ATTENDEES, TOPIC = range(4)
BUTTONS = 8
TODAY_WORDS = ("今天", "今日", "today")
_DRAFT = "onsite"


def _draft(context: Context) -> dict[str, Any]:
    assert context.user_data is not None, "conversations are per user"
    return context.user_data.setdefault(_DRAFT, {})


async def _ask(
    update: Update, context: Context, body: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    chat = update.effective_chat
    assert chat is not None, "conversations happen in chats"
    await send_parts(context, chat.id, render_text_html(body), keyboard=keyboard)


async def start(update: Update, context: Context) -> int:
    """/onsite: inspectors and admins only; offers the register's units as buttons."""
    user = update.effective_user
    assert user is not None, "commands come from users"
    store = deps(context).records
    if await asyncio.to_thread(store.people.role_of, person_key(user)) not in ("inspector", "admin"):
        await reply_key(update, context, "bot.not_inspector")
        return ConversationHandler.END
    units = [u for u in await asyncio.to_thread(store.units.list) if u.retired_on is None]
    if not units:
        await reply_text(update, context, say("onsite.register_empty"))
        return ConversationHandler.END
    _draft(context).clear()
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(u.name, callback_data=f"onsite:unit:{u.credit_code}")]
            for u in units[:BUTTONS]
        ]
    )
    body = say("onsite.ask_unit")
    if len(units) > BUTTONS:
        body += say("onsite.ask_unit_more", count=len(units), shown=BUTTONS)
    await _ask(update, context, body, keyboard)
    return UNIT


async def _unit_found(update: Update, context: Context, query: str) -> int:
    try:
        unit = await asyncio.to_thread(deps(context).records.units.find, query)
    except RecordsError as error:
        await reply_text(update, context, say("onsite.retry", reason=error))
        return UNIT
    draft = _draft(context)
    draft["unit"], draft["unit_name"] = unit.credit_code, unit.name
    today = deps(context).records.sessions.today()
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    say("onsite.button_today", today=today.isoformat()), callback_data="onsite:today"
                )
            ]
        ]
    )
    await _ask(
        update, context, say("onsite.unit_chosen", unit=unit.name) + "\n" + say("onsite.ask_date"), keyboard
    )
    return DAY


async def unit_button(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None, "registered for callback queries"
    await query.answer()
    return await _unit_found(update, context, query.data.removeprefix("onsite:unit:"))


async def unit_typed(update: Update, context: Context) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None, "registered for text"
    return await _unit_found(update, context, message.text)


async def _day_chosen(update: Update, context: Context, day: date) -> int:
    _draft(context)["day"] = day
    await _ask(
        update, context, say("onsite.date_chosen", date=day.isoformat()) + "\n" + say("onsite.ask_attendees")
    )
    return ATTENDEES


async def today_button(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None, "registered for callback queries"
    await query.answer()
    return await _day_chosen(update, context, deps(context).records.sessions.today())


async def day_typed(update: Update, context: Context) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None, "registered for text"
    today = deps(context).records.sessions.today()
    if message.text.strip() in TODAY_WORDS:
        return await _day_chosen(update, context, today)
    try:
        day = parse_date(message.text, today)
    except RecordsError as error:
        await reply_text(update, context, say("onsite.retry", reason=error))
        return DAY
    return await _day_chosen(update, context, day)


async def attendees_typed(update: Update, context: Context) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None, "registered for text"
    try:
        _draft(context)["attendees"] = parse_attendees(message.text)
    except RecordsError as error:
        await reply_text(update, context, say("onsite.retry", reason=error))
        return ATTENDEES
    await _ask(update, context, say("onsite.ask_topic"))
    return TOPIC


async def topic_typed(update: Update, context: Context) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None, "registered for text"
    return await _save(update, context, message.text.strip())


async def topic_skipped(update: Update, context: Context) -> int:
    return await _save(update, context, "")


async def _save(update: Update, context: Context, topic: str) -> int:
    user = update.effective_user
    assert user is not None, "conversations come from users"
    draft = _draft(context)
    if not {"unit", "day", "attendees"} <= draft.keys():
        await reply_text(update, context, say("onsite.expired"))
        return ConversationHandler.END
    entry = SessionInput(
        unit=draft["unit"],
        day=draft["day"],
        attendees=draft["attendees"],
        topic=topic,
        inspector_keys=(person_key(user),),
    )
    try:
        session = await asyncio.to_thread(deps(context).records.sessions.add, entry, person_key(user))
    except RecordsError as error:
        await reply_key(update, context, "bot.outreach_failed", reason=str(error))
        draft.clear()
        return ConversationHandler.END
    draft.clear()
    await reply_text(
        update,
        context,
        say(
            "onsite.saved",
            id=session.id,
            unit=session.unit.name,
            date=entry.day.isoformat(),
            attendees=session.attendees,
            topic=session.topic or "—",
            domains=domain_names(session.domains) or "—",
        ),
    )
    return ConversationHandler.END


async def cancel(update: Update, context: Context) -> int:
    _draft(context).clear()
    await reply_text(update, context, say("onsite.cancelled"))
    return ConversationHandler.END


async def stale_button(update: Update, context: Context) -> None:
    """A button of a finished or abandoned /onsite conversation."""
    query = update.callback_query
    assert query is not None, "registered for callback queries"
    await query.answer(say("onsite.expired"))


def conversation() -> ConversationHandler:
    """The /onsite conversation (per user and chat); register it before the question handler."""
    new = filters.UpdateType.MESSAGE
    typed = new & filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # Tracked per user and chat on purpose: the buttons belong to the one conversation in progress.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return _conversation(new, typed)


def _conversation(new: filters.BaseFilter, typed: filters.BaseFilter) -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CommandHandler("onsite", start, filters=new)],
        states={
            UNIT: [
                CallbackQueryHandler(unit_button, pattern=r"^onsite:unit:[0-9A-Z]{18}$"),
                MessageHandler(typed, unit_typed),
            ],
            DAY: [
                CallbackQueryHandler(today_button, pattern=r"^onsite:today$"),
                MessageHandler(typed, day_typed),
            ],
            ATTENDEES: [MessageHandler(typed, attendees_typed)],
            TOPIC: [CommandHandler("skip", topic_skipped, filters=new), MessageHandler(typed, topic_typed)],
        },
        fallbacks=[CommandHandler("cancel", cancel, filters=new)],
        name="onsite",
        allow_reentry=True,
    )
