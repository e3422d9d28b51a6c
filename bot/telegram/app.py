"""The python-telegram-bot Application: building it, its handlers, and running it until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.limits import QuestionLimiter
from bot.render import text, texts_section
from bot.settings import Settings
from bot.telegram.base import BotDeps, Context
from bot.telegram.handlers import answers, cases, commands, inspector, onsite, quiz, units
from bot.telegram.inbox import Inbox
from bot.telegram.limits import FairUpdateProcessor, TelegramRateLimiter
from bot.telegram.webhook import start_server
from knowledge.errors import PufaError

if TYPE_CHECKING:
    from bot.records.services import Records
    from knowledge.assistant import Assistant

logger = logging.getLogger("bot.telegram")

# httpcore scans its whole pool on every request event; a modest pool keeps that cheap under load,
# and requests wait for a free connection (pool_timeout) instead of failing.
_POOL_SIZE = 32
_CONCURRENT_UPDATES = 256
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
NON_TEXT = (
    filters.PHOTO
    | filters.Sticker.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.LOCATION
    | filters.VENUE
    | filters.CONTACT
    | filters.POLL
    | filters.Dice.ALL
)
_COMMANDS: dict[str, Callable[[Update, Any], Coroutine[Any, Any, None]]] = {
    "start": commands.on_start,
    "help": commands.on_help,
    "cite": commands.on_cite,
    "search": commands.on_search,
    "laws": commands.on_laws,
    "cases": cases.on_cases,
    "register": units.on_register,
    "feedback": commands.on_feedback,
    "history": commands.on_history,
    "forget": commands.on_forget,
    "grant": inspector.on_grant,
    "revoke": inspector.on_revoke,
    "outreach_start": inspector.on_outreach_start,
    "outreach_end": inspector.on_outreach_end,
    "stats": inspector.on_stats,
    "export": inspector.on_export,
    "report": inspector.on_report,
    "quiz": quiz.on_quiz,
    "training": quiz.on_training,
    "units": units.on_units,
    "unit_add": units.on_unit_add,
    "unit_update": units.on_unit_update,
    "unit_requests": units.on_unit_requests,
    "unit_confirm": units.on_unit_confirm,
    "unit_reject": units.on_unit_reject,
    "brief": cases.on_brief,
}


@dataclass(frozen=True)
class Webhook:
    """Webhook mode: Telegram posts to ``url``; we listen on ``listen:port`` behind a reverse proxy."""

    url: str
    secret: str
    listen: str = "127.0.0.1"
    port: int = 8443

    @property
    def path(self) -> str:
        return urlsplit(self.url).path.lstrip("/")


def bot_commands() -> list[BotCommand]:
    """The public commands with their Chinese descriptions (from prompts/bot.toml) for setMyCommands."""
    return [BotCommand(name, description) for name, description in texts_section("commands").items()]


def base_file_url(base_url: str) -> str:
    """The file download URL matching a Bot API ``base_url`` such as ``http://host:8081/bot``."""
    head, sep, _ = base_url.rpartition("/bot")
    return f"{head}/file/bot" if sep else base_url.rstrip("/") + "/file/bot"


def build_application(
    settings: Settings,
    assistant: Assistant,
    store: Records,
    rate_limiter: BaseRateLimiter | None = None,
) -> Application:
    """The Application with every handler registered, talking to ``settings.telegram_api_base_url``."""
    limiter = QuestionLimiter(settings.questions_per_minute)
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(base_file_url(settings.telegram_api_base_url))
        .rate_limiter(rate_limiter or TelegramRateLimiter())
        .concurrent_updates(
            FairUpdateProcessor(_CONCURRENT_UPDATES, limiter, QuestionLimiter(settings.updates_per_minute))
        )
        .connection_pool_size(_POOL_SIZE)
        .pool_timeout(60)
        .connect_timeout(10)
        .read_timeout(settings.telegram_read_timeout_s)
    )
    if settings.telegram_proxy:
        builder = builder.proxy(settings.telegram_proxy).get_updates_proxy(settings.telegram_proxy)
    app = builder.build()
    app.bot_data["deps"] = BotDeps(assistant, store, limiter, Inbox(settings.data_dir))
    app.bot_data["spool_replay_s"] = settings.spool_replay_s
    register_handlers(app)
    return app


def register_handlers(app: Application) -> None:
    """Commands, questions, non-text messages and buttons; edited messages match nothing (ignored)."""
    new = filters.UpdateType.MESSAGE
    app.add_handler(onsite.conversation())
    for name, handler in _COMMANDS.items():
        app.add_handler(CommandHandler(name, handler, filters=new))
    app.add_handler(MessageHandler(new & filters.COMMAND, answers.on_unknown_command))
    app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, answers.on_question))
    app.add_handler(MessageHandler(new & filters.Document.ALL, units.on_document))
    app.add_handler(MessageHandler(new & NON_TEXT, answers.on_non_text))
    app.add_handler(CallbackQueryHandler(answers.on_feedback_button, pattern=r"^fb:[+-]:[0-9a-f]{1,32}$"))
    app.add_handler(CallbackQueryHandler(answers.on_source_button, pattern=r"^src:[0-9a-f]{1,32}$"))
    app.add_handler(CallbackQueryHandler(commands.on_forget_button, pattern=r"^forget:\d+:(yes|no)$"))
    app.add_handler(CallbackQueryHandler(quiz.on_button, pattern=quiz.CALLBACK_PATTERN))
    app.add_handler(CallbackQueryHandler(onsite.stale_button, pattern=r"^onsite:"))
    app.add_handler(CallbackQueryHandler(answers.on_unknown_button))
    app.add_error_handler(on_error)


async def on_error(update: object, context: Context) -> None:
    """The one place a failed update is reported: a PufaError as its own one-line message, anything else
    logged with the update id (never the token) and told to the user without a stack trace."""
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    if isinstance(error, PufaError):
        logger.warning("update %s refused: %s", update_id, error)
        message = text("bot.outreach_failed", reason=str(error))
    else:
        logger.error("update %s failed: %s", update_id, type(error).__name__, exc_info=error)
        message = text("bot.error")
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    with contextlib.suppress(TelegramError):
        if update.callback_query is not None:
            await update.callback_query.answer(message[:200])
            return
        await context.bot.send_message(update.effective_chat.id, message)


async def run_until_stopped(
    app: Application,
    stop: asyncio.Event,
    webhook: Webhook | None = None,
    poll_timeout: int = 10,
    ready: asyncio.Event | None = None,
) -> None:
    """Initialize (getMe), register the commands, take updates until ``stop`` is set, shut down cleanly.

    Start-up failures (rejected token, unreachable API) propagate as TelegramError before any update
    is taken; ``ready`` is set once updates are being taken.
    """
    updater = app.updater
    assert updater is not None, "build_application gives the Application an updater"
    async with app:
        await app.bot.set_my_commands(bot_commands())
        server = None
        if webhook is None:
            await updater.start_polling(timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES)
        else:
            await app.bot.set_webhook(webhook.url, secret_token=webhook.secret, allowed_updates=ALLOWED_UPDATES)
            server = start_server(
                app.bot, app.update_queue, webhook.path, webhook.secret, webhook.listen, webhook.port
            )
        await app.start()
        deps: BotDeps = app.bot_data["deps"]
        replay = asyncio.create_task(_replay_spool_regularly(app, app.bot_data["spool_replay_s"]))
        recovered = asyncio.create_task(_answer_orphans(app))
        logger.info("bot @%s running (%s)", app.bot.username, "webhook" if webhook else "polling")
        if ready is not None:
            ready.set()
        try:
            await stop.wait()
        finally:
            replay.cancel()
            recovered.cancel()
            if server is not None:
                server.stop()
            if updater.running:
                await updater.stop()
            await app.stop()
            deps.thinking.shutdown(wait=False, cancel_futures=True)
            deps.inbox.close()


async def _answer_orphans(app: Application) -> None:
    """Questions journaled by a process that is gone (this one's previous run, or a peer sharing the
    data folder) and never answered: adopted and answered now, each once (the database claim decides)."""
    deps: BotDeps = app.bot_data["deps"]
    orphans = await asyncio.to_thread(deps.inbox.adopt_orphans)
    if orphans:
        logger.warning("answering %d question(s) left unanswered by a stopped process", len(orphans))
    context = Context(app)
    for orphan in orphans:
        try:
            await answers.answer_once(context, orphan.question, take_from=orphan.owner)
        except Exception:  # one bad entry must not keep the others unanswered, nor come back next time
            logger.exception("could not answer recovered question %s", orphan.question.uid)


async def _replay_spool_regularly(app: Application, every_s: float) -> None:
    """Turns spooled while the database was down land as soon as it answers again, not at the next turn;
    questions journaled by a peer process that died are answered by this one."""
    deps: BotDeps = app.bot_data["deps"]
    while True:
        await asyncio.sleep(every_s)
        try:
            await asyncio.to_thread(deps.records.turns.replay)
        except Exception:  # the store logs the cause; the next round tries again
            logger.warning("spool replay failed; retrying in %s s", every_s)
        await _answer_orphans(app)
