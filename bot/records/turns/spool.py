"""Append-only local spool for log entries the database could not take; replayed later.

Entries are JSON lines. A replay first renames the spool aside (so new entries keep going to a
fresh file), applies every entry idempotently, and deletes the renamed file only when all of them
went in. A cross-process ``flock`` guards appends and renames.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SPOOL_NAME = "outreach-spool.jsonl"


class Spool:
    """The spool files in ``directory``: ``outreach-spool.jsonl`` and ``outreach-spool.*.replay``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / SPOOL_NAME
        self.rejected_path = directory / "outreach-spool.rejected.jsonl"
        self._lock_path = directory / "outreach-spool.lock"
        self._thread_lock = threading.Lock()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock, open(self._lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def append(self, entry: dict[str, Any]) -> None:
        """Write one entry durably (flushed and fsynced) at the end of the spool."""
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._locked(), open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def reject(self, entry: dict[str, Any]) -> None:
        """Set aside an entry the database refuses for good (kept for a person to inspect)."""
        with open(self.rejected_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def _replay_files(self) -> list[Path]:
        """The files set aside for replay, oldest first. Read without the lock (``pending``, ``entries``): a
        file another thread or process replays and removes meanwhile is skipped, not an error."""
        found = []
        for path in self.directory.glob("outreach-spool.*.replay"):
            with contextlib.suppress(FileNotFoundError):
                found.append((path.stat().st_mtime_ns, path))
        return [path for _, path in sorted(found)]

    def pending(self) -> bool:
        """True when some entry waits for the database."""
        return self.path.exists() or bool(self._replay_files())

    def entries(self) -> list[dict[str, Any]]:
        """Every waiting entry, oldest first (replay files, then the live spool)."""
        found: list[dict[str, Any]] = []
        for path in [*self._replay_files(), self.path]:
            with contextlib.suppress(FileNotFoundError):  # replayed meanwhile
                found.extend(_read(path))
        return found

    def replay(self, apply: Callable[[dict[str, Any]], None]) -> int:
        """Apply waiting entries in order; stop at the first failure (the entries stay).

        ``apply`` must be idempotent: a file is retried whole after a failure.
        Returns the number of entries applied.
        """
        if not self.directory.exists():
            return 0
        with self._locked():
            if self.path.exists():
                os.replace(self.path, self.directory / f"outreach-spool.{uuid.uuid4().hex}.replay")
            applied = 0
            for path in self._replay_files():
                for entry in _read(path):
                    apply(entry)
                    applied += 1
                path.unlink()
            return applied


def _read(path: Path) -> list[dict[str, Any]]:
    entries = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                log.error("%s:%d: unreadable spool line skipped (torn write)", path, number)
    return entries
