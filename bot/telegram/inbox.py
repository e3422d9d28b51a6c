"""Write-ahead journal of Telegram questions: durable before they are answered, replayed after a crash.

Telegram counts an update as delivered as soon as the next batch is fetched, so a question the bot
received but had not answered when it was killed would be lost. Each question is appended (flushed
and fsynced) before its answer is computed, and marked answered after the reply is sent.

Every process journals in a file of its own (``inbox/telegram-<owner>.jsonl``) and holds an exclusive
lock on ``inbox/telegram-<owner>.lock`` while it runs, so processes sharing a data folder never touch
each other's entries. A journal whose lock can be taken belongs to a process that is gone: its open
questions are adopted (copied into the adopter's journal, then the orphan is deleted) and answered.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import socket
import threading
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from bot.records.turns.claims import TurnSource, telegram_key, telegram_update_key

log = logging.getLogger(__name__)

INBOX_DIR = "inbox"
LEGACY_INBOX_NAME = "telegram-inbox.jsonl"  # the single shared journal of earlier versions
_COMPACT_BYTES = 1 << 20


def new_owner() -> str:
    """A name for this process, unique among processes sharing a data folder or database."""
    host = re.sub(r"[^A-Za-z0-9_.-]", "_", socket.gethostname())[:40] or "host"
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


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
    bot_id: int = 0
    update_id: int | None = None

    @property
    def source(self) -> TurnSource:
        """The question's identity for the database claim (bot, chat, message; bot, update)."""
        key = telegram_key(self.bot_id, self.chat_id, self.message_id)
        return TurnSource(key, telegram_update_key(self.bot_id, self.update_id), self.uid)

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"asked_at": self.asked_at.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Received:
        return cls(**(data | {"asked_at": datetime.fromisoformat(data["asked_at"])}))


@dataclass(frozen=True)
class Adopted:
    """An open question of a process that is gone, and that process' name."""

    question: Received
    owner: str


def _write(path: Path, entries: list[dict[str, Any]], mode: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, mode, encoding="utf-8") as handle:
        for entry in entries:
            handle.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _open_questions(path: Path) -> dict[str, Received]:
    """The questions in journal ``path`` never marked answered, oldest first."""
    pending: dict[str, Received] = {}
    if not path.exists():
        return pending
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                entry = json.loads(line)
                if "received" in entry:
                    question = Received.from_json(entry["received"])
                    pending[question.uid] = question
                else:
                    pending.pop(str(entry["answered"]), None)
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                log.error("%s:%d: unreadable inbox line skipped (torn write)", path, number)
    return pending


class Inbox:
    """This process' journal: ``{"received": …}`` and ``{"answered": uid}`` lines."""

    def __init__(self, data_dir: Path, owner: str | None = None) -> None:
        self.owner = owner or new_owner()
        self.data_dir = data_dir
        self.directory = data_dir / INBOX_DIR
        self.path = self.directory / f"telegram-{self.owner}.jsonl"
        self._lock = threading.Lock()
        self._open: dict[str, Received] = {}
        self._held: IO[str] | None = None

    def _hold(self) -> None:
        """Take this process' lock (once): while held, no other process adopts this journal."""
        lock_path = self.directory / f"telegram-{self.owner}.lock"
        while self._held is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle = open(lock_path, "a")  # noqa: SIM115 - held open until close()
            fcntl.flock(handle, fcntl.LOCK_EX)
            if lock_path.exists() and os.path.samestat(os.fstat(handle.fileno()), lock_path.stat()):
                self._held = handle
            else:  # an adopter removed the file between open and lock: lock a fresh one
                handle.close()

    def close(self) -> None:
        """Release the lock; the journal stays (its open questions are adopted by the next process)."""
        with self._lock:
            if self._held is not None:
                self._held.close()
                self._held = None

    def received(self, question: Received) -> None:
        """Record ``question`` durably; called before its answer is computed."""
        with self._lock:
            self._hold()
            _write(self.path, [{"received": question.to_json()}], "a")
            self._open[question.uid] = question

    def answered(self, uid: str) -> None:
        """Mark the question ``uid`` answered; a journal grown large is rewritten with the open ones only."""
        with self._lock:
            self._hold()
            self._open.pop(uid, None)
            if self.path.exists() and self.path.stat().st_size > _COMPACT_BYTES:
                fresh = self.path.with_suffix(".tmp")
                _write(fresh, [{"received": q.to_json()} for q in self._open.values()], "w")
                os.replace(fresh, self.path)
                return
            _write(self.path, [{"answered": uid}], "a")

    def adopt_orphans(self) -> list[Adopted]:
        """Open questions of processes that are gone (their lock is free), now journaled here, oldest first.

        Each orphan journal is copied into this one (durably) before it is deleted, so a crash in
        between leaves the questions in one journal or both (answered once: the claim decides).
        """
        adopted: list[Adopted] = []
        with self._lock:
            self._hold()
            for lock_path in sorted(self.directory.glob("telegram-*.lock")):
                owner = lock_path.stem.removeprefix("telegram-")
                if owner == self.owner:
                    continue
                adopted += self._adopt(owner, self.directory / f"telegram-{owner}.jsonl", lock_path)
            legacy = self.data_dir / LEGACY_INBOX_NAME
            if legacy.exists():
                adopted += self._adopt("legacy", legacy, None)
        return adopted

    def _adopt(self, owner: str, journal: Path, lock_path: Path | None) -> list[Adopted]:
        handle = open(lock_path, "a") if lock_path else None  # noqa: SIM115 - closed below
        try:
            if handle is not None:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return []  # its process is running
            pending = _open_questions(journal)
            if pending:
                _write(self.path, [{"received": q.to_json()} for q in pending.values()], "a")
                self._open.update(pending)
                log.warning("adopted %d open question(s) of process %s", len(pending), owner)
            journal.unlink(missing_ok=True)
            if lock_path is not None:
                lock_path.unlink(missing_ok=True)
            return [Adopted(question, owner) for question in pending.values()]
        finally:
            if handle is not None:
                handle.close()
