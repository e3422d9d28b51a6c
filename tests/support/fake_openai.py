"""A small OpenAI-compatible chat server on 127.0.0.1 for tests: scripted replies, recorded requests.

Only ``POST /v1/chat/completions`` (non-streaming) is served. Each request takes the next scripted
:class:`Reply`; with none left the server answers HTTP 500. Requests are recorded in ``requests``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHAT_PATH = "/v1/chat/completions"


@dataclass(frozen=True)
class Reply:
    """One scripted response: an assistant ``content`` in the OpenAI shape, or a raw ``body``."""

    content: str | None = None
    status: int = 200
    body: str | None = None
    delay_s: float = 0.0

    def payload(self, model: str) -> bytes:
        if self.body is not None:
            return self.body.encode("utf-8")
        return json.dumps(completion(self.content or "", model), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))


def completion(content: str, model: str = "fake-model") -> dict[str, Any]:
    """A non-streaming ``chat.completion`` object with one assistant message."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


@dataclass
class FakeOpenAI:
    """The server; use as a context manager (``with FakeOpenAI() as server: ...``)."""

    replies: deque[Reply] = field(default_factory=deque)
    requests: list[Recorded] = field(default_factory=list)
    _release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in order."""
        with self._lock:
            self.replies.extend(replies)

    def _next(self) -> Reply:
        with self._lock:
            if self.replies:
                return self.replies.popleft()
        return Reply(status=500, body='{"error": {"message": "no scripted reply"}}')

    def _record(self, item: Recorded) -> None:
        with self._lock:
            self.requests.append(item)

    def __enter__(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                fake._record(Recorded(self.path, dict(self.headers.items()), body))
                if self.path != CHAT_PATH:
                    self._send(404, b'{"error": {"message": "not found"}}')
                    return
                reply = fake._next()
                if reply.delay_s and fake._release.wait(reply.delay_s):
                    return  # the test is over; drop the connection
                self._send(reply.status, reply.payload(str(body.get("model", ""))))

            def _send(self, status: int, payload: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (timeout); nothing to do

            def log_message(self, format: str, *args: Any) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
