"""Write-ahead journal of Telegram questions: durable before they are answered, replayed after a crash.

Telegram counts an update as delivered as soon as the next batch is fetched, so a question the bot
received but had not answered when it was killed would be lost. Each question is appended (flushed
and fsynced) before its answer is computed, and marked answered after the reply is sent; at start-up
the questions never marked are answered (and logged under the same turn uid, so exactly once).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

INBOX_NAME = "telegram-inbox.jsonl"
_COMPACT_BYTES = 1 << 20


@dataclass(frozen=True)
class Received:
    """One question as received: enough to answer it and log it after a restart."""

    uid: str
    chat_id: int
    message_id: int
    user_id: int
    display_name: str
    question: str
    asked_at: datetime

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"asked_at": self.asked_at.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Received:
        return cls(**(data | {"asked_at": datetime.fromisoformat(data["asked_at"])}))


class Inbox:
    """``telegram-inbox.jsonl`` in the data dir: ``{"received": …}`` and ``{"answered": uid}`` lines."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / INBOX_NAME
        self._lock = threading.Lock()
        self._open: dict[str, Received] = {}

    def _write(self, path: Path, entries: list[dict[str, Any]], mode: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, mode, encoding="utf-8") as handle:
            for entry in entries:
                handle.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def received(self, question: Received) -> None:
        """Record ``question`` durably; called before its answer is computed."""
        with self._lock:
            self._write(self.path, [{"received": question.to_json()}], "a")
            self._open[question.uid] = question

    def answered(self, uid: str) -> None:
        """Mark the question ``uid`` answered; a journal grown large is rewritten with the open ones only."""
        with self._lock:
            self._open.pop(uid, None)
            if self.path.exists() and self.path.stat().st_size > _COMPACT_BYTES:
                fresh = self.path.with_suffix(".tmp")
                self._write(fresh, [{"received": q.to_json()} for q in self._open.values()], "w")
                os.replace(fresh, self.path)
                return
            self._write(self.path, [{"answered": uid}], "a")

    def unanswered(self) -> list[Received]:
        """Questions received but never marked answered (from an earlier run), oldest first."""
        if not self.path.exists():
            return []
        pending: dict[str, Received] = {}
        with open(self.path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    entry = json.loads(line)
                    if "received" in entry:
                        question = Received.from_json(entry["received"])
                        pending[question.uid] = question
                    else:
                        pending.pop(str(entry["answered"]), None)
                except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                    log.error("%s:%d: unreadable inbox line skipped (torn write)", self.path, number)
        with self._lock:
            self._open.update(pending)
        return list(pending.values())
