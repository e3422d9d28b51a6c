"""Role-gated commands: admins /grant and /revoke; inspectors run outreach sessions, /stats and /export."""

from __future__ import annotations

import asyncio
import functools
import tempfile
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram import Update, User
from telegram.constants import ChatAction

from bot.records.calendar import REPORT_TZ
from bot.records.errors import RecordsError
from bot.records.reports.prose import render_text
from bot.records.validate import looks_like_date, parse_attendees
from bot.render import text
from bot.reports import chart, export
from bot.reports.annual.build import annual_report
from bot.reports.titles import catalog_titles
from bot.telegram.base import Context, deps, display_name, person_key, reply_key, reply_text
from bot.telegram.sentences import say
from knowledge.templates import text as template

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]
_ROLES_ABOVE = {"inspector": ("inspector", "admin"), "admin": ("admin",)}


def requires(role: str) -> Callable[[Handler], Handler]:
    """Let only users with ``role`` (or a higher one) run the handler; refuse others politely."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: Context) -> None:
            user = update.effective_user
            if user is None:
                return
            have = await asyncio.to_thread(deps(context).records.people.role_of, person_key(user))
            if have not in _ROLES_ABOVE[role]:
                await reply_key(update, context, "bot.not_admin" if role == "admin" else "bot.not_inspector")
                return
            await handler(update, context)  # a PufaError is reported by the application's error handler

        return guarded

    return decorate


def _target(update: Update, context: Context) -> tuple[str, str] | None:
    """The person a /grant or /revoke is about: the replied-to user, or ``用户ID [姓名]``."""
    message = update.effective_message
    replied = message.reply_to_message if message else None
    if replied and replied.from_user and not replied.from_user.is_bot:
        user: User = replied.from_user
        return person_key(user), display_name(user)
    args = context.args or []
    if not args or not (args[0].isascii() and args[0].isdigit()):
        return None
    return f"tg:{args[0]}", " ".join(args[1:]) or args[0]


@requires("admin")
async def on_grant(update: Update, context: Context) -> None:
    target = _target(update, context)
    if target is None:
        await reply_key(update, context, "bot.grant_usage")
        return
    key, name = target
    await asyncio.to_thread(deps(context).records.people.set_role, key, "inspector", name)
    await reply_key(update, context, "bot.grant_ok", name=name)


@requires("admin")
async def on_revoke(update: Update, context: Context) -> None:
    target = _target(update, context)
    if target is None:
        await reply_key(update, context, "bot.revoke_usage")
        return
    key, name = target
    store = deps(context).records
    if await asyncio.to_thread(store.people.role_of, key) == "admin":
        await reply_key(update, context, "bot.revoke_admin", name=name)
        return
    await asyncio.to_thread(store.people.set_role, key, "lab", name)
    await reply_key(update, context, "bot.revoke_ok", name=name)


@requires("inspector")
async def on_outreach_start(update: Update, context: Context) -> None:
    """/outreach_start 单位名称或信用代码 [执法检查编号] (a last word with a digit is the number)."""
    args = context.args or []
    if not args:
        await reply_key(update, context, "bot.outreach_start_usage")
        return
    number = args[-1] if len(args) > 1 and any(c.isdigit() for c in args[-1]) else ""
    if looks_like_date(number):
        await reply_text(update, context, say("onsite.start_not_a_date", value=number))
        return
    unit_query = " ".join(args[:-1] if number else args)
    user = update.effective_user
    assert user is not None, "guarded handlers have a user"
    session = await asyncio.to_thread(deps(context).records.sessions.start, person_key(user), unit_query, number)
    await reply_key(update, context, "bot.outreach_started", unit=session.unit.name)


@requires("inspector")
async def on_outreach_end(update: Update, context: Context) -> None:
    """/outreach_end 参加人数 备注."""
    args = context.args or []
    if not args:
        await reply_key(update, context, "bot.outreach_end_usage")
        return
    try:
        attendees = parse_attendees(args[0])
    except RecordsError as error:
        await reply_text(update, context, f"{error}\n{text('bot.outreach_end_usage')}")
        return
    user = update.effective_user
    assert user is not None, "guarded handlers have a user"
    store = deps(context).records
    session = await asyncio.to_thread(store.sessions.end, person_key(user), attendees, " ".join(args[1:]))
    await reply_key(update, context, "bot.outreach_ended", attendees=session.attendees)


def _year(raw: list[str]) -> int | None:
    """The year argument (default this year), or None when it is not a plausible year."""
    for arg in raw:
        if arg.isascii() and arg.isdigit():
            year = int(arg)
            return year if 2000 <= year <= 2100 else None
    return datetime.now().year


@requires("inspector")
async def on_stats(update: Update, context: Context) -> None:
    """/stats [年份]: the figures as text and the monthly chart as a PNG."""
    year = _year(context.args or [])
    chat = update.effective_chat
    if year is None or chat is None:
        await reply_key(update, context, "bot.stats_usage")
        return
    store = deps(context).records
    titles = catalog_titles(deps(context).assistant.library.catalog)
    figures = await asyncio.to_thread(store.reports.stats, year, None, None, titles)
    await reply_text(update, context, render_text(figures))
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
    with tempfile.TemporaryDirectory(prefix="pufa-chart-") as tmp:
        path = await asyncio.to_thread(chart.write_chart, figures, Path(tmp) / f"stats-{year}.png")
        await context.bot.send_photo(chat.id, path.read_bytes(), caption=text("bot.stats_caption", year=year))


@requires("inspector")
async def on_export(update: Update, context: Context) -> None:
    """/export [年份] [xlsx|csv]: the year's sessions as a spreadsheet."""
    args = context.args or []
    fmt = next((a.lower() for a in args if a.lower() in ("xlsx", "csv")), "xlsx")
    year = _year(args)
    chat = update.effective_chat
    if (
        year is None
        or chat is None
        or any(not (a.isascii() and a.isdigit()) and a.lower() not in ("xlsx", "csv") for a in args)
    ):
        await reply_key(update, context, "bot.export_usage")
        return
    store = deps(context).records
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    with tempfile.TemporaryDirectory(prefix="pufa-export-") as tmp:
        titles = catalog_titles(deps(context).assistant.library.catalog)
        rows = await asyncio.to_thread(store.reports.session_rows, year, titles)
        out = export.write(rows, fmt, Path(tmp) / f"pufa-outreach-{year}.{fmt}", year)
        await context.bot.send_document(
            chat.id, out.read_bytes(), filename=out.name, caption=text("bot.export_caption", year=year)
        )


@requires("admin")
async def on_report(update: Update, context: Context) -> None:
    """/report 年份: the annual report on enforcement and outreach as a Word file (admins)."""
    args = context.args or []
    year = _year(args)
    chat = update.effective_chat
    if year is None or chat is None or len(args) > 1:
        await reply_text(update, context, template("annual", "bot.usage"))
        return
    records, library = deps(context).records, deps(context).assistant.library
    today = datetime.now(REPORT_TZ).date()
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    with tempfile.TemporaryDirectory(prefix="pufa-report-") as tmp:
        out = Path(tmp) / f"{year}年执法普法工作情况报告.docx"
        await asyncio.to_thread(annual_report, records, library, year, out, today)
        caption = template("annual", "bot.caption", year=year)
        await context.bot.send_document(chat.id, out.read_bytes(), filename=out.name, caption=caption)
