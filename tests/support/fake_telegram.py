"""A fake Telegram Bot API server on 127.0.0.1 that validates requests the way Telegram does.

It serves ``/bot<token>/<method>`` for getMe, getUpdates, deleteWebhook, setWebhook, sendMessage,
editMessageText, answerCallbackQuery, sendChatAction, setMyCommands, getMyCommands, sendDocument,
sendPhoto and getFile, and ``/file/bot<token>/<file_path>`` for downloads of documents users sent
(``push_document``). Checks: the token, HTML parse mode (supported tags, entities, nesting), the 4096-character
limit after entity parsing (UTF-16 units), 1024 for captions, callback_data of 1–64 bytes,
"message is not modified", answering a callback query once. Errors (429 with retry_after, 400, …) can be
injected. Tests push updates and wait for what the bot sent; everything runs in the caller's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

TOKEN = "123456789:AAHfakeTOKENfakeTOKENfakeTOKEN12345"
BOT_ID = 123456789
BOT_USERNAME = "pufa_test_bot"
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

_JSON_FIELDS = {
    "reply_markup",
    "commands",
    "allowed_updates",
    "entities",
    "caption_entities",
    "reply_parameters",
    "link_preview_options",
    "scope",
}
_INT_FIELDS = {"message_id", "offset", "limit", "timeout", "reply_to_message_id", "cache_time"}
_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_SIMPLE_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "code", "pre"}
_PARSE = "Bad Request: can't parse entities: "
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{5,32})?")
_MENTION = re.compile(r"@[A-Za-z0-9_]{5,32}")


class ApiError(Exception):
    """A Bot API error response."""

    def __init__(self, description: str, code: int = 400, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def utf16_len(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


class _TagChecker(HTMLParser):
    """Validates tag names, attributes and nesting; the text itself is checked by ``parse_html``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        ok = (
            (tag in _SIMPLE_TAGS and (not names or (tag == "code" and names == {"class"})))
            or (tag == "span" and dict(attrs).get("class") == "tg-spoiler")
            or (tag == "a" and names == {"href"})
            or (tag == "blockquote" and names <= {"expandable"})
            or (tag == "tg-emoji" and names == {"emoji-id"})
        )
        if not ok:
            raise ApiError(f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')
        if tag == "blockquote" and "blockquote" in self.stack:
            raise ApiError("Bad Request: can't parse entities: blockquote can't be nested")
        if (
            self.stack
            and self.stack[-1] in {"pre", "code"}
            and not (self.stack[-1] == "pre" and tag == "code")
        ):
            raise ApiError(f"Bad Request: can't parse entities: {tag} can't be inside {self.stack[-1]}")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise ApiError(f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}/"')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            expected = self.stack[-1] if self.stack else "nothing"
            raise ApiError(
                f'Bad Request: can\'t parse entities: Unmatched end tag "{tag}", expected "</{expected}>"'
            )
        self.stack.pop()

    def handle_comment(self, data: str) -> None:
        raise ApiError('Bad Request: can\'t parse entities: Unsupported start tag "!--"')

    def handle_decl(self, decl: str) -> None:
        raise ApiError('Bad Request: can\'t parse entities: Unsupported start tag "!"')

    def unknown_decl(self, data: str) -> None:
        self.handle_decl(data)


_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(\s+[a-zA-Z-]+(=\"[^\"<>]*\"|='[^'<>]*'|=[^\s\"'<>]+)?)*\s*>")


def parse_html(markup: str) -> str:
    """The visible text of Telegram HTML ``markup``; raises ``ApiError`` as the Bot API would."""
    visible: list[str] = []
    pos = 0
    checker = _TagChecker()
    while pos < len(markup):
        char = markup[pos]
        if char == "<":
            match = _TAG.match(markup, pos)
            if not match:
                raise ApiError(
                    "Bad Request: can't parse entities: Unsupported start tag at byte offset "
                    f"{len(markup[:pos].encode())}"
                )
            checker.feed(match.group(0))
            pos = match.end()
        elif char == "&":
            match = _ENTITY.match(markup, pos)
            if not match:
                raise ApiError(
                    "Bad Request: can't parse entities: Character '&' is reserved and must be escaped "
                    f"at byte offset {len(markup[:pos].encode())}"
                )
            name = match.group(1)
            if name.startswith("#"):
                visible.append(chr(int(name[2:], 16) if name[1] == "x" else int(name[1:])))
            else:
                visible.append({"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[name])
            pos = match.end()
        elif char == ">":
            raise ApiError(
                "Bad Request: can't parse entities: Character '>' is reserved and must be escaped "
                f"at byte offset {len(markup[:pos].encode())}"
            )
        else:
            visible.append(char)
            pos += 1
    checker.close()
    if checker.stack:
        tag = checker.stack[-1]
        raise ApiError(f"{_PARSE}Can't find end tag corresponding to start tag {tag}")
    return "".join(visible)


def visible_text(value: str, parse_mode: str | None) -> str:
    if parse_mode is None:
        return value
    if parse_mode != "HTML":
        raise ApiError(f"Bad Request: unsupported parse_mode {parse_mode!r} in the fake server")
    return parse_html(value)


def _check_markup(markup: dict[str, Any] | None) -> None:
    if not markup:
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise ApiError("Bad Request: button text is empty")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise ApiError("Bad Request: BUTTON_DATA_INVALID")


@dataclass
class Call:
    """One request the bot made; for successful calls ``params["_result"]`` is what the server returned
    (for sendMessage, the message with its parsed visible ``text``)."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    ok: bool = True


@dataclass
class _Injected:
    method: str
    code: int
    description: str
    retry_after: int | None
    remaining: int


class FakeTelegram:
    """The fake server; use ``async with FakeTelegram() as tg:`` and point the bot at ``tg.base_url``."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.webhook: dict[str, Any] = {}
        self.commands: list[dict[str, str]] = []
        self.pushed_at: dict[int, float] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._injected: list[_Injected] = []
        self._held: dict[str, list[float]] = {}  # method → delays of its next responses
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeTelegram:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        async with self._changed:
            self._changed.notify_all()
        if self._runner:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------ injecting updates and failures

    def inject_error(
        self,
        method: str,
        code: int = 429,
        retry_after: int | None = 1,
        count: int = 1,
        description: str = "",
    ) -> None:
        """Fail the next ``count`` calls of ``method`` (429 with ``retry_after`` by default)."""
        if not description:
            description = f"Too Many Requests: retry after {retry_after}" if code == 429 else "Bad Request"
        self._injected.append(_Injected(method, code, description, retry_after, count))

    def hold(self, method: str, seconds: float, count: int = 1) -> None:
        """Carry out the next ``count`` calls of ``method`` but answer them ``seconds`` late (a slow network
        after the request arrived: the client may time out on a message that was sent)."""
        self._held.setdefault(method, []).extend([seconds] * count)

    async def push_update(self, update: dict[str, Any], update_id: int | None = None) -> int:
        """Queue ``update`` for getUpdates under the next id (or ``update_id``: the same update delivered
        to two servers, as Telegram would to two processes); returns its id."""
        update_id = next(self._update_ids) if update_id is None else update_id
        update = {"update_id": update_id, **update}
        self.pushed_at[update_id] = time.monotonic()
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return update_id

    def user(self, user_id: int, first_name: str = "测试用户", username: str | None = None) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "zh-hans"}
        if username:
            user["username"] = username
        return user

    def chat(self, chat_id: int, chat_type: str = "private", title: str = "测试群") -> dict[str, Any]:
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": "测试用户"}
        return {"id": chat_id, "type": chat_type, "title": title}

    def message(
        self,
        user_id: int,
        chat_id: int | None = None,
        chat_type: str = "private",
        reply_to: dict[str, Any] | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """A message from a user; ``content`` is text=… or photo=…, sticker=…, location=…"""
        chat_id = user_id if chat_id is None else chat_id
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id, chat_type),
            "from": self.user(user_id),
            **content,
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if "text" in content:
            entities = _entities(content["text"])
            if entities:
                message["entities"] = entities
        return message

    async def push_text(self, user_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        """Push a text message (Telegram's command and mention entities included); returns it."""
        message = self.message(user_id, text=text, **kwargs)
        message["update_id"] = await self.push_update({"message": message})
        return message

    async def push_document(
        self, user_id: int, file_name: str, content: bytes, caption: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Push a message carrying a document (downloadable through getFile); returns the message."""
        file_id = f"upload{len(self.files) + 1}"
        self.files[file_id] = (f"documents/{file_id}/{file_name}", content)
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "file_size": len(content),
        }
        extra = {"caption": caption} if caption else {}
        message = self.message(user_id, document=document, **extra, **kwargs)
        message["update_id"] = await self.push_update({"message": message})
        return message

    async def push_callback(self, user_id: int, message: dict[str, Any], data: str) -> str:
        """Push a button press on ``message`` (a message the bot sent); returns the query id."""
        query_id = f"cbq{next(self._callback_ids)}"
        self._open_callbacks.add(query_id)
        query = {
            "id": query_id,
            "from": self.user(user_id),
            "chat_instance": f"ci{message['chat']['id']}",
            "message": message,
            "data": data,
        }
        await self.push_update({"callback_query": query})
        return query_id

    # ------------------------------------------------------------ observing

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.ok and c.method == method and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 60.0) -> Any:
        """Wait until ``predicate()`` is truthy and return its value (fails the test after ``timeout``)."""

        async def check() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(check(), timeout)

    async def wait_sent(
        self, count: int = 1, method: str = "sendMessage", chat_id: int | None = None, timeout: float = 60.0
    ) -> list[Call]:
        """Wait until at least ``count`` successful ``method`` calls went to ``chat_id``."""
        return await self.wait_for(
            lambda: (calls := self.sent(method, chat_id)) and len(calls) >= count and calls, timeout
        )

    async def settle(self, rounds: int = 3) -> None:
        """Wait until the bot has fetched every pushed update and gone back to waiting ``rounds`` times."""
        for _ in range(rounds):
            seen = len(self.calls)
            await self.wait_for(
                lambda seen=seen: (
                    not self._updates and any(c.method == "getUpdates" for c in self.calls[seen:])
                ),
            )

    # ------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params, files = await _read_params(request)
        call = Call(method, params, files)
        try:
            self._fail_if_injected(method)
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                raise ApiError("Not Found", 404)
            result = await handler(params, files)
        except ApiError as exc:
            call.ok = False
            body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            await self._record(call)
            return web.json_response(body, status=exc.code)
        params["_result"] = result
        await self._record(call)
        if self._held.get(method):
            await asyncio.sleep(self._held[method].pop(0))
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        for file_path, content in self.files.values():
            if file_path == request.match_info["path"]:
                return web.Response(body=content)
        return web.Response(status=404)

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _fail_if_injected(self, method: str) -> None:
        for item in self._injected:
            if item.method == method and item.remaining > 0:
                item.remaining -= 1
                params = {"retry_after": item.retry_after} if item.code == 429 else None
                raise ApiError(item.description, item.code, params)

    # ------------------------------------------------------------ methods

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "普法助手",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getMe(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        return self._bot_user()

    async def _api_deleteWebhook(self, params: dict[str, Any], files: Any) -> bool:
        self.webhook = {}
        return True

    async def _api_setWebhook(self, params: dict[str, Any], files: Any) -> bool:
        if not str(params.get("url", "")).startswith("https://"):
            raise ApiError("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token", "")
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError("Bad Request: secret token contains unallowed characters")
        self.webhook = params
        return True

    async def _api_getUpdates(self, params: dict[str, Any], files: Any) -> list[dict[str, Any]]:
        offset = params.get("offset", 0)
        timeout = min(float(params.get("timeout", 0)), 0.25)  # short polls keep tests quick
        async with self._changed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), timeout)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            return self._updates[: params.get("limit", 100)]

    def _new_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError("Bad Request: chat not found")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id, "private" if chat_id > 0 else "group"),
            "from": self._bot_user(),
            **content,
        }
        reply = (params.get("reply_parameters") or {}).get("message_id") or params.get("reply_to_message_id")
        if reply:
            message["reply_to_message"] = {
                "message_id": reply,
                "date": int(time.time()),
                "chat": message["chat"],
            }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def _api_sendMessage(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        text = params.get("text", "")
        shown = visible_text(text, params.get("parse_mode"))
        if not shown.strip():
            raise ApiError("Bad Request: message text is empty")
        if utf16_len(shown) > MESSAGE_LIMIT:
            raise ApiError("Bad Request: message is too long")
        _check_markup(params.get("reply_markup"))
        return self._new_message(params, text=shown)

    async def _api_editMessageText(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        key = (params.get("chat_id"), params.get("message_id"))
        message = self.messages.get(key)  # type: ignore[arg-type]
        if message is None:
            raise ApiError("Bad Request: message to edit not found")
        shown = visible_text(params.get("text", ""), params.get("parse_mode"))
        if not shown.strip():
            raise ApiError("Bad Request: message text is empty")
        if utf16_len(shown) > MESSAGE_LIMIT:
            raise ApiError("Bad Request: MESSAGE_TOO_LONG")
        markup = params.get("reply_markup")
        _check_markup(markup)
        if shown == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(
                "Bad Request: message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        message["text"] = shown
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return message

    async def _api_answerCallbackQuery(self, params: dict[str, Any], files: Any) -> bool:
        query_id = params.get("callback_query_id")
        if query_id not in self._open_callbacks:
            raise ApiError(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        if len(params.get("text", "")) > 200:
            raise ApiError("Bad Request: MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        return True

    async def _api_sendChatAction(self, params: dict[str, Any], files: Any) -> bool:
        if params.get("action") not in _CHAT_ACTIONS:
            raise ApiError("Bad Request: wrong parameter action in request")
        if not isinstance(params.get("chat_id"), int):
            raise ApiError("Bad Request: chat not found")
        return True

    async def _api_setMyCommands(self, params: dict[str, Any], files: Any) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError("Bad Request: commands must be a list of at most 100 commands")
        for item in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", item.get("command", "")):
                raise ApiError("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(item.get("description", "")) <= 256:
                raise ApiError("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = commands
        return True

    async def _api_getMyCommands(self, params: dict[str, Any], files: Any) -> list[dict[str, str]]:
        return self.commands

    def _caption(self, params: dict[str, Any]) -> str:
        caption = visible_text(params.get("caption", ""), params.get("parse_mode"))
        if utf16_len(caption) > CAPTION_LIMIT:
            raise ApiError("Bad Request: message caption is too long")
        return caption

    def _upload(self, files: dict[str, tuple[str, bytes]], name: str) -> tuple[str, bytes]:
        if name not in files or not files[name][1]:
            raise ApiError(f"Bad Request: there is no {name} in the request")
        return files[name]

    async def _api_sendDocument(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> Any:
        filename, content = self._upload(files, "document")
        caption = self._caption(params)
        document = {
            "file_id": f"doc{len(self.calls)}",
            "file_unique_id": f"udoc{len(self.calls)}",
            "file_name": filename,
            "file_size": len(content),
        }
        return self._new_message(params, document=document, caption=caption)

    async def _api_getFile(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        stored = self.files.get(str(params.get("file_id")))
        if stored is None:
            raise ApiError("Bad Request: invalid file_id")
        file_path, content = stored
        return {
            "file_id": params["file_id"],
            "file_unique_id": f"u{params['file_id']}",
            "file_size": len(content),
            "file_path": file_path,
        }

    async def _api_sendPhoto(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> Any:
        _, content = self._upload(files, "photo")
        if not content.startswith((b"\x89PNG", b"\xff\xd8")):
            raise ApiError("Bad Request: IMAGE_PROCESS_FAILED")
        caption = self._caption(params)
        size = {"file_id": f"ph{len(self.calls)}", "file_unique_id": "uph", "width": 800, "height": 600}
        return self._new_message(params, photo=[size], caption=caption)


def _entities(text: str) -> list[dict[str, Any]]:
    """The bot_command and mention entities Telegram would attach to ``text`` (UTF-16 offsets)."""
    entities = []
    command = _COMMAND.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group(0))})
    for mention in _MENTION.finditer(text):
        if command and mention.start() < command.end():
            continue
        offset = utf16_len(text[: mention.start()])
        entities.append({"type": "mention", "offset": offset, "length": utf16_len(mention.group(0))})
    return entities


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    params: dict[str, Any] = {}
    files: dict[str, tuple[str, bytes]] = {}
    if request.content_type == "application/json":
        raw = await request.json()
        return raw, files
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            files[name] = (value.filename, value.file.read())
        elif name in _JSON_FIELDS:
            params[name] = json.loads(value)
        elif name in _INT_FIELDS or (name == "chat_id" and re.fullmatch(r"-?\d+", value)):
            params[name] = int(value)
        else:
            params[name] = value
    return params, files
