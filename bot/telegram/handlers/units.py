"""The register in Telegram: admins list, add, update units and confirm self-registrations; a
spreadsheet sent by an admin (units or on-site sessions) is imported and answered line by line;
/register links a user to a unit of the register."""

from __future__ import annotations

import asyncio
from pathlib import Path

from telegram import Update

from bot.records.errors import RecordsError
from bot.records.messages import text as records_text
from bot.records.services import Records
from bot.records.sessions.sheet import SESSION_COLUMNS, ArticleResolver, article_resolver
from bot.records.sheets import ImportReport, SheetLimits, sheet_columns
from bot.records.units.records import Unit
from bot.records.units.register import UNIT_COLUMNS, UnitInput, UnitRegister
from bot.records.validate import split_list
from bot.telegram.base import Context, deps, display_name, person_key, reply_key, reply_text
from bot.telegram.handlers.answers import on_non_text
from bot.telegram.handlers.inspector import requires
from bot.telegram.sentences import say
from knowledge.law import domains

REPORT_LINES_SHOWN = 10  # rejected lines shown in the reply; the whole list goes in the attached file
LISTED = 50
PARTIAL_WORDS = ("部分", "partial")
FIELDS = {
    "名称": "name",
    "信用代码": "credit_code",
    "统一社会信用代码": "credit_code",
    "领域": "domains",
    "许可证号": "licence_no",
    "地址": "address",
    "联系人": "contact",
}


def register_of(context: Context) -> UnitRegister:
    return deps(context).records.units


def domain_names(codes: tuple[str, ...]) -> str:
    return "、".join(domains.label(code) for code in codes)


def _unit_text(unit: Unit) -> str:
    return say(
        "units.updated",
        name=unit.name,
        code=unit.credit_code,
        domains=domain_names(unit.domains),
        licence=unit.licence_no or "—",
        address=unit.address or "—",
        contact=unit.contact or "—",
    )


async def on_register(update: Update, context: Context) -> None:
    """/register 单位名称 统一社会信用代码: link to the register's unit, or queue it for an admin."""
    args = context.args or []
    user = update.effective_user
    assert user is not None, "commands come from users"
    if len(args) < 2:
        await reply_key(update, context, "bot.register_usage")
        return
    name, code = " ".join(args[:-1]), args[-1]
    try:
        outcome = await asyncio.to_thread(
            register_of(context).request, person_key(user), display_name(user), name, code
        )
    except RecordsError as exc:
        await reply_key(update, context, "bot.register_bad_code", code=code, reason=str(exc))
        return
    if isinstance(outcome, Unit):
        await reply_text(update, context, say("units.linked", unit=outcome.name, code=outcome.credit_code))
    else:
        await reply_text(update, context, say("units.queued", code=outcome.credit_code, id=outcome.id))


@requires("inspector")
async def on_units(update: Update, context: Context) -> None:
    """/units [名称片段]: the register (or the units whose name contains the words)."""
    units = await asyncio.to_thread(register_of(context).list)
    wanted = " ".join(context.args or []).strip()
    if wanted:
        units = [u for u in units if wanted in u.name or wanted == u.credit_code]
    lines = [say("units.list_header", count=len(units))]
    lines += [
        say("units.list_line", name=u.name, code=u.credit_code, domains=domain_names(u.domains))
        for u in units[:LISTED]
    ]
    if len(units) > LISTED:
        lines.append(say("units.list_more", count=len(units) - LISTED))
    await reply_text(update, context, "\n".join(lines))


@requires("admin")
async def on_unit_add(update: Update, context: Context) -> None:
    """/unit_add 单位名称 统一社会信用代码 领域[、领域] [许可证号]."""
    args = context.args or []
    code_at = next((i for i, a in enumerate(args) if len(a) == 18 and a[:2].isalnum()), None)
    if code_at is None or code_at == 0 or code_at + 1 >= len(args):
        await reply_text(update, context, say("units.add_usage"))
        return
    unit_input = UnitInput(
        " ".join(args[:code_at]), args[code_at], split_list(args[code_at + 1]), " ".join(args[code_at + 2 :])
    )
    unit = await asyncio.to_thread(register_of(context).add, unit_input)
    await reply_text(
        update,
        context,
        say("units.added", name=unit.name, code=unit.credit_code, domains=domain_names(unit.domains)),
    )


@requires("admin")
async def on_unit_update(update: Update, context: Context) -> None:
    """/unit_update 单位 项目=新值 …"""
    args = context.args or []
    first_field = next((i for i, a in enumerate(args) if "=" in a), None)
    if not args or first_field in (None, 0):
        await reply_text(update, context, say("units.update_usage"))
        return
    changes: dict[str, object] = {}
    current_key = ""
    for part in args[first_field:]:
        key, sep, value = part.partition("=")
        if sep and key.strip() in FIELDS:
            current_key = FIELDS[key.strip()]
            changes[current_key] = value
        elif not sep and current_key:  # a value with spaces, e.g. 地址=北京市 海淀区
            changes[current_key] = f"{changes[current_key]} {part}"
        else:
            await reply_text(update, context, say("units.update_bad_field", part=part))
            return
    if "domains" in changes:
        changes["domains"] = split_list(str(changes["domains"]))
    query = " ".join(args[:first_field])
    unit = await asyncio.to_thread(lambda: register_of(context).update(query, **changes))  # type: ignore[arg-type]
    await reply_text(update, context, _unit_text(unit))


@requires("admin")
async def on_unit_requests(update: Update, context: Context) -> None:
    requests = await asyncio.to_thread(register_of(context).pending)
    lines = [say("units.requests_header", count=len(requests))]
    lines += [
        say("units.request_line", id=r.id, name=r.name, code=r.credit_code, person=r.person) for r in requests
    ]
    await reply_text(update, context, "\n".join(lines))


@requires("admin")
async def on_unit_confirm(update: Update, context: Context) -> None:
    """/unit_confirm 申请编号 领域."""
    args = context.args or []
    if len(args) < 2 or not args[0].isdigit():
        await reply_text(update, context, say("units.confirm_usage"))
        return
    unit = await asyncio.to_thread(register_of(context).resolve, int(args[0]), split_list(" ".join(args[1:])))
    assert unit is not None, "a confirmation returns the unit"
    await reply_text(update, context, say("units.confirmed", name=unit.name, code=unit.credit_code))


@requires("admin")
async def on_unit_reject(update: Update, context: Context) -> None:
    args = context.args or []
    if len(args) != 1 or not args[0].isdigit():
        await reply_text(update, context, say("units.reject_usage"))
        return
    await asyncio.to_thread(register_of(context).resolve, int(args[0]), None)
    await reply_text(update, context, say("units.rejected", id=args[0]))


async def on_document(update: Update, context: Context) -> None:
    """A spreadsheet from an admin is imported (units or sessions, told apart by their columns);
    anything else, or from anyone else, gets the usual "text only" reply."""
    message = update.effective_message
    user = update.effective_user
    document = message.document if message else None
    if document is None or user is None:
        return
    role = await asyncio.to_thread(deps(context).records.people.role_of, person_key(user))
    if role != "admin":
        await on_non_text(update, context)
        return
    await _import_document(update, context)


@requires("admin")
async def _import_document(update: Update, context: Context) -> None:
    message = update.effective_message
    user = update.effective_user
    assert message is not None and message.document is not None and user is not None, "checked by on_document"
    document = message.document
    name = document.file_name or "upload"
    if Path(name).suffix.lower() not in (".xlsx", ".csv"):
        await reply_text(update, context, say("upload.wrong_type"))
        return
    store = deps(context).records
    limits = SheetLimits.of(store.database.settings)
    if (document.file_size or 0) > limits.max_bytes:
        size, limit = (document.file_size or 0) // 1024, limits.max_bytes // 1024
        await reply_text(update, context, say("upload.too_large", size=size, limit=limit))
        return
    file = await context.bot.get_file(document.file_id)
    content = bytes(await file.download_as_bytearray())
    partial = any(word in (message.caption or "").lower() for word in PARTIAL_WORDS)
    resolver = article_resolver(deps(context).assistant.library)
    try:
        imported = await asyncio.to_thread(_import, store, name, content, person_key(user), partial, resolver)
    except RecordsError as error:  # unreadable, too large, too many rows: one line naming the file
        await reply_text(update, context, str(error))
        return
    if imported is None:
        await reply_text(update, context, say("upload.kind_unknown", name=name))
        return
    title, report = imported
    await _reply_report(update, context, title, report, name)


def _import(
    store: Records, name: str, content: bytes, who: str, partial: bool, resolver: ArticleResolver
) -> tuple[str, ImportReport] | None:
    """Import the sheet as sessions or units (told apart by their columns); None when it is neither."""
    limits = SheetLimits.of(store.database.settings)
    if {"date", "attendees"} <= sheet_columns(name, content, SESSION_COLUMNS, limits):
        report = store.sessions.import_sheet(name, content, who, partial=partial, resolve_articles=resolver)
        return say("upload.sessions_title", name=name), report
    if {"credit_code", "domains"} <= sheet_columns(name, content, UNIT_COLUMNS, limits):
        report = store.units.import_sheet(name, content, partial=partial, actor=who)
        return say("upload.units_title", name=name), report
    return None


async def _reply_report(update: Update, context: Context, title: str, report: ImportReport, name: str) -> None:
    """One reply: the counts and the first rejected lines; the whole list attached as a text file."""
    flag = say("upload.partial_flag")
    brief, more = report.brief(REPORT_LINES_SHOWN, partial_flag=flag)
    attachment = f"{Path(name).stem}-导入结果.txt"
    extra = [records_text("sheet.more_in_file", shown=REPORT_LINES_SHOWN, name=attachment)] if more else []
    await reply_text(update, context, "\n".join([title, brief, *extra]))
    if more:
        chat = update.effective_chat
        assert chat is not None, "documents come in a chat"
        full = (title + "\n" + report.render(partial_flag=flag) + "\n").encode("utf-8")
        await context.bot.send_document(chat.id, full, filename=attachment)
