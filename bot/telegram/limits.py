"""Rate limits: Telegram's flood limits for outgoing requests, and the per-user question and update limits."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter, SimpleUpdateProcessor

from bot.limits import QuestionLimiter
from bot.render import text

logger = logging.getLogger(__name__)

# Requests that are not messages: not counted against the message limits (still retried).
_UNCOUNTED = frozenset({"sendChatAction", "answerCallbackQuery", "getUpdates", "getMe", "setMyCommands"})
# Start-up and polling calls fail fast on network errors (PTB's polling loop has its own backoff).
_NO_NETWORK_RETRY = frozenset({"getMe", "getUpdates", "setWebhook", "deleteWebhook", "close", "logOut"})
# Requests that post something: after a read timeout Telegram has most likely carried one out, and sending it
# again would show the same message twice (the Bot API has no idempotency key), so they are not resent then.
_POSTS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup", "copyMessage", "forwardMessage"})
_MAX_CHATS = 4096


def may_have_arrived(error: BaseException) -> bool:
    """The request was sent and only its response is missing (a read timeout): it may well have been carried out."""
    return isinstance(error.__cause__, httpx.ReadTimeout)


class TelegramRateLimiter(BaseRateLimiter[int]):
    """About 30 messages/s overall, 1/s per private chat (bursts of 3), 20/min per group.

    A 429 pauses every request for ``retry_after`` seconds and the request is retried, so no reply is
    lost; network errors (not Bad Request) are retried with exponential backoff — except a message whose
    response timed out after it was sent (``may_have_arrived``), which is not posted twice.
    """

    def __init__(
        self,
        overall_per_second: float = 30,
        chat_burst: int = 3,
        chat_period_s: float = 3,
        group_per_minute: float = 20,
        max_retries: int = 5,
        backoff_s: float = 0.5,
    ) -> None:
        self._overall = AsyncLimiter(overall_per_second, 1)
        self._chat_rate = (chat_burst, chat_period_s)
        self._group_rate = group_per_minute
        self._chats: OrderedDict[int | str, AsyncLimiter] = OrderedDict()
        self._max_retries = max_retries
        self._backoff_s = backoff_s
        self._resume_at = 0.0

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _chat_limiter(self, chat_id: int | str) -> AsyncLimiter:
        limiter = self._chats.pop(chat_id, None)
        if limiter is None:
            is_group = isinstance(chat_id, str) or chat_id < 0
            limiter = AsyncLimiter(self._group_rate, 60) if is_group else AsyncLimiter(*self._chat_rate)
        self._chats[chat_id] = limiter
        while len(self._chats) > _MAX_CHATS:
            self._chats.popitem(last=False)
        return limiter

    async def _wait_retry_after(self) -> None:
        while (delay := self._resume_at - time.monotonic()) > 0:
            await asyncio.sleep(delay)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        counted = chat_id is not None and endpoint not in _UNCOUNTED
        retries = rate_limit_args if rate_limit_args is not None else self._max_retries
        attempt = 0
        while True:
            await self._wait_retry_after()
            try:
                if counted:
                    async with self._chat_limiter(_chat_key(chat_id)), self._overall:
                        return await callback(*args, **kwargs)
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= retries:
                    raise
                seconds = exc._retry_after.total_seconds()  # the public attribute warns in PTB 22
                logger.warning("429 on %s: pausing %.1f s", endpoint, seconds)
                self._resume_at = max(self._resume_at, time.monotonic() + seconds + 0.1)
            except BadRequest:
                raise
            except NetworkError as exc:
                if attempt >= retries or endpoint in _NO_NETWORK_RETRY:
                    raise
                if endpoint in _POSTS and may_have_arrived(exc):
                    logger.warning("%s timed out after it was sent; not sent again", endpoint)
                    raise
                logger.warning("network error on %s (%s): retry %d", endpoint, exc, attempt + 1)
                await asyncio.sleep(self._backoff_s * 2**attempt)
            attempt += 1


def _chat_key(chat_id: Any) -> int | str:
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return str(chat_id)


class FairUpdateProcessor(SimpleUpdateProcessor):
    """Concurrent updates, each one counted against its sender's limit before it takes a slot.

    Every update from a user (question, command, button, file) counts against ``updates``; over it, the
    user is told once per window and the rest is dropped unseen. A user already told they ask too fast
    (``questions``) is dropped the same way. Without this, hundreds of updates from one user each hold
    one of the concurrent slots while waiting, and other users' questions queue behind them.
    """

    def __init__(self, max_concurrent_updates: int, questions: QuestionLimiter, updates: QuestionLimiter) -> None:
        super().__init__(max_concurrent_updates)
        self.questions = questions
        self.updates = updates
        self.dropped = 0

    # PTB marks this final; overriding it is how an update is dropped before it takes a concurrent slot.
    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:  # type: ignore[misc]
        user = update.effective_user if isinstance(update, Update) else None
        if user is not None and (self.questions.muted(user.id) or self.updates.muted(user.id)):
            self._drop(coroutine)
            return
        wait = self.updates.check(user.id) if user is not None else 0.0
        if wait:
            self._drop(coroutine)
            assert isinstance(update, Update) and user is not None, "only a user's update waits"
            if self.updates.first_notice(user.id, wait):
                await super().process_update(update, _tell_too_fast(update, self.updates.per_minute, wait))
            return
        await super().process_update(update, coroutine)

    def _drop(self, coroutine: Awaitable[Any]) -> None:
        self.dropped += 1
        if isinstance(coroutine, Coroutine):
            coroutine.close()


async def _tell_too_fast(update: Update, per_minute: int, wait_s: float) -> None:
    """The one notice of a window: a toast for a button, else a message in the chat."""
    notice = text("bot.too_many_updates", limit=per_minute, seconds=math.ceil(wait_s))
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(notice[:200])
        elif update.effective_chat is not None:
            await update.get_bot().send_message(update.effective_chat.id, notice)
    except TelegramError as error:
        logger.warning("rate-limit notice not delivered: %s", error)
