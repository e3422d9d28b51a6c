"""Shared helpers for the outreach tests (no tests here): backends, turns, a TCP proxy.

PostgreSQL runs when PUFA_TEST_POSTGRES_URL is set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test);
each test gets a fresh schema, dropped afterwards.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.records.db import make_engine
from bot.records.schema import upgrade
from bot.records.turns.record import TurnRecord, new_turn_uid
from bot.records.units.uscc import check_digit
from bot.settings import Settings
from knowledge.models import ArticleRef

PG_URL = os.environ.get("PUFA_TEST_POSTGRES_URL", "")
SKIP_PG = "PostgreSQL tests skipped: set PUFA_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=[pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason=SKIP_PG)],
    ),
]
T0 = datetime(2024, 3, 4, 2, 0, tzinfo=UTC)  # 10:00 Beijing time


def credit_code(serial: int, first: str = "91") -> str:
    """A valid 统一社会信用代码 built around ``serial``."""
    body = f"{first}110108{serial:09d}"
    return body + check_digit(body)


def with_search_path(url: str, schema: str) -> str:
    return (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


@contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema; yields the URL whose connections use it; drops it afterwards."""
    schema = f"pufa_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_search_path(PG_URL, schema)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def backend_settings(
    backend: str, tmp_path: Path, migrate: bool = True, **overrides: object
) -> Iterator[Settings]:
    """Settings for a fresh, migrated (unless ``migrate=False``) database of ``backend``."""
    data_dir = tmp_path / "data"
    if backend == "sqlite":
        settings = Settings(data_dir=data_dir, **overrides)  # type: ignore[arg-type]
        if migrate:
            _upgrade(settings.effective_database_url)
        yield settings
        return
    with pg_schema() as url:
        settings = Settings(data_dir=data_dir, database_url=url, **overrides)  # type: ignore[arg-type]
        if migrate:
            _upgrade(url)
        yield settings


def _upgrade(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def make_turn(
    person_key: str,
    asked_at: datetime = T0,
    *,
    question: str = "饲养实验动物需要什么许可？",
    citations: tuple[tuple[str, int], ...] = (("lab-animal-regulations", 18),),
    domains: tuple[str, ...] = ("lab_animals",),
    declined: bool = False,
    channel: str = "telegram",
    display_name: str = "张三",
) -> TurnRecord:
    return TurnRecord(
        uid=new_turn_uid(),
        person_key=person_key,
        display_name=display_name,
        channel=channel,
        question=question,
        answer_mode="extractive",
        citations=tuple(ArticleRef(doc, number) for doc, number in citations),
        declined=declined,
        latency_ms=35.0,
        domains=domains,
        asked_at=asked_at,
    )


def retimed(turn: TurnRecord, asked_at: datetime) -> TurnRecord:
    return replace(turn, asked_at=asked_at)


class TcpProxy:
    """A TCP forwarder on 127.0.0.1 that can be stopped (database down) and started again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._flowing = threading.Event()
        self._flowing.set()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        """Refuse new connections and cut every open one."""
        if self._listener is not None:
            with suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() thread
            self._listener.close()
            self._listener = None
        with self._lock:
            for sock in self._sockets:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def hang(self) -> None:
        """A hanging network path: connections stay open and accepted, but nothing gets through."""
        self._flowing.clear()

    def resume(self) -> None:
        """Let the held-back bytes through again."""
        self._flowing.set()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                self._flowing.wait()
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
