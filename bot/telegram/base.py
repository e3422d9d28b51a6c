"""What every Telegram handler shares: its dependencies, who is asking, and sending HTML parts."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import (
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ChatAction, ChatType, MessageEntityType, ParseMode
from telegram.error import TelegramError, TimedOut
from telegram.ext import ContextTypes

from bot.limits import QuestionLimiter
from bot.render import render_text_html, text
from bot.telegram.inbox import Inbox
from bot.telegram.limits import may_have_arrived
from knowledge.answers.followup import Conversations
from knowledge.models import ArticleRef

if TYPE_CHECKING:
    from bot.records.services import Records
    from knowledge.assistant import Assistant

logger = logging.getLogger("bot.telegram")

Context = ContextTypes.DEFAULT_TYPE
T = TypeVar("T")
_TYPING_EVERY_S = 4.5
_TURNS_KEPT = 4096
_THINKING_THREADS = 8


@dataclass(frozen=True)
class TurnMemo:
    """What the buttons under one answer need: who asked and which articles it cited."""

    owner_id: int
    refs: tuple[ArticleRef, ...]


@dataclass
class TurnMemory:
    """The latest answers' memos by turn uid (bounded; older turns expire)."""

    capacity: int = _TURNS_KEPT
    _items: OrderedDict[str, TurnMemo] = field(default_factory=OrderedDict)

    def remember(self, uid: str, memo: TurnMemo) -> None:
        self._items[uid] = memo
        self._items.move_to_end(uid)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def get(self, uid: str) -> TurnMemo | None:
        return self._items.get(uid)

    def forget_owner(self, owner_id: int) -> None:
        for uid in [uid for uid, memo in self._items.items() if memo.owner_id == owner_id]:
            del self._items[uid]


@dataclass
class BotDeps:
    """The bot's collaborators, kept in ``application.bot_data["deps"]``."""

    assistant: Assistant
    records: Records
    limiter: QuestionLimiter
    inbox: Inbox
    turns: TurnMemory = field(default_factory=TurnMemory)
    answering: dict[str, asyncio.Event] = field(default_factory=dict)  # uids being answered: set when done
    conversations: Conversations = field(default_factory=Conversations)  # follow-ups: last turn per person
    typing_sent: OrderedDict[int, float] = field(default_factory=OrderedDict)
    # Answers and look-ups get threads of their own: a slow database never takes the threads they need.
    thinking: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(_THINKING_THREADS, thread_name_prefix="pufa-answer")
    )

    async def think(self, work: Callable[..., T], *args: Any) -> T:
        """Run ``work(*args)`` (answer, citation, search) in the answering threads."""
        return await asyncio.get_running_loop().run_in_executor(self.thinking, functools.partial(work, *args))


def deps(context: Context) -> BotDeps:
    return context.bot_data["deps"]


def person_key(user: User) -> str:
    return f"tg:{user.id}"


def display_name(user: User) -> str:
    return user.full_name or (user.username or str(user.id))


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def addressed_text(message: Message, bot_id: int, bot_username: str) -> str | None:
    """The question in ``message``, or None when a group message is not meant for the bot.

    In private chats every message is for the bot. In groups the bot answers only when mentioned
    (``@username`` or a text mention) or when the message replies to one of its own messages; the
    mention itself is removed from the question.
    """
    body = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return body
    replied = message.reply_to_message
    addressed = bool(replied and replied.from_user and replied.from_user.id == bot_id)
    mention = f"@{bot_username}".lower()
    for entity, value in message.parse_entities(
        [MessageEntityType.MENTION, MessageEntityType.TEXT_MENTION]
    ).items():
        if (entity.type == MessageEntityType.MENTION and value.lower() == mention) or (
            entity.user is not None and entity.user.id == bot_id
        ):
            addressed = True
            body = body.replace(value, " ")
    return " ".join(body.split()) if addressed else None


async def send_parts(
    context: Context,
    chat_id: int,
    parts: Sequence[str],
    reply_to: int | None = None,
    keyboard: InlineKeyboardMarkup | None = None,
) -> list[Message]:
    """Send HTML ``parts`` in order; the first replies to ``reply_to``, the last carries ``keyboard``."""
    sent = []
    for i, part in enumerate(parts):
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and i == 0 else None
        try:
            message = await context.bot.send_message(
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_parameters=reply,
                reply_markup=keyboard if i == len(parts) - 1 else None,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except TimedOut as error:
            if not may_have_arrived(error):
                raise
            continue  # most likely shown already (the limiter does not post it twice); go on with the rest
        sent.append(message)
    return sent


async def reply_text(update: Update, context: Context, body: str, **kwargs: Any) -> list[Message]:
    """Reply with plain ``body`` (escaped and split) to the update's message."""
    message = update.effective_message
    chat = update.effective_chat
    assert chat is not None, "replies need a chat"
    reply_to = message.message_id if message and not is_private(update) else None
    return await send_parts(context, chat.id, render_text_html(body), reply_to=reply_to, **kwargs)


async def reply_key(update: Update, context: Context, key: str, **values: Any) -> list[Message]:
    """Reply with the fixed sentence ``key`` from prompts/bot.toml."""
    return await reply_text(update, context, text(key, **values))


async def while_typing(context: Context, chat_id: int, work: Awaitable[T]) -> T:
    """Await ``work`` while the chat shows "typing…" (renewed every few seconds).

    The work starts first and runs while the action is sent; the action is always sent before the
    reply, so the indicator never outlives the answer. Several questions in one chat share one
    indicator: it is not re-sent while the last one is still showing.
    """
    sent = deps(context).typing_sent
    task = asyncio.ensure_future(work)
    while True:
        now = time.monotonic()
        if now - sent.get(chat_id, -_TYPING_EVERY_S) >= _TYPING_EVERY_S:
            sent[chat_id] = now
            sent.move_to_end(chat_id)
            while len(sent) > _TURNS_KEPT:
                sent.popitem(last=False)
            with contextlib.suppress(TelegramError):
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
        done, _ = await asyncio.wait({task}, timeout=_TYPING_EVERY_S)
        if done:
            return task.result()
