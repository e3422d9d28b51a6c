"""The records database: engines for SQLite and PostgreSQL, and ``Database`` (transactions, limits,
the one conversion of database failures into a Chinese error) that every records service takes."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.records.errors import DatabaseSchemaError, DatabaseUnavailable, NotMigratedError
from bot.records.schema import ensure_migrated
from bot.settings import Settings

log = logging.getLogger(__name__)

# Failures that mean "the database is not answering right now": keep the entry and retry later.
# A ProgrammingError (SQL or schema wrong) is not one of them: retrying would never help, it is reported.
TRANSIENT = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    sa_exc.DisconnectionError,
)


def reason_of(error: BaseException) -> str:
    """The first line of a database error (at most 200 characters), for logs and messages."""
    original = getattr(error, "orig", None) or error
    first_line = (str(original).strip().splitlines() or [type(original).__name__])[0]
    return first_line[:200]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(
    url: str,
    lock_timeout_s: float = 5.0,
    *,
    statement_timeout_s: float | None = None,
    pool_timeout_s: float = 30.0,
    connect_timeout_s: float = 5.0,
) -> Engine:
    """An engine whose write transactions serialize correctly on SQLite (BEGIN IMMEDIATE, WAL).

    ``statement_timeout_s`` bounds every statement and lock wait on PostgreSQL (the answering path
    uses it so a stalled database never holds a reply); migrations run without it. A connection
    whose network path hangs is given up by TCP keepalives and ``tcp_user_timeout``.
    """
    if not is_sqlite(url):
        connect_args: dict[str, Any] = {"connect_timeout": max(1, round(connect_timeout_s))}
        if statement_timeout_s:
            wait_ms = max(1, round(statement_timeout_s * 1000))
            connect_args |= {
                "keepalives": 1,
                "keepalives_idle": max(1, round(statement_timeout_s)),
                "keepalives_interval": 1,
                "keepalives_count": 3,
                "tcp_user_timeout": wait_ms + 1000,
            }
        engine = create_engine(
            url,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            pool_timeout=pool_timeout_s,
            connect_args=connect_args,
        )
        if statement_timeout_s:

            @event.listens_for(engine, "connect")
            def _bound_waits(dbapi_connection: Any, _record: Any) -> None:
                with dbapi_connection.cursor() as cursor:
                    cursor.execute(f"SET statement_timeout = {wait_ms}")
                    cursor.execute(f"SET lock_timeout = {wait_ms}")
                dbapi_connection.commit()

        return engine
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        pool_size=10,
        max_overflow=60,
        pool_timeout=pool_timeout_s,
        connect_args={"timeout": lock_timeout_s},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(lock_timeout_s * 1000)}")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """The records database: its engine, reading and writing transactions, the clock, and whether it
    answers. Every records service takes one; ``open`` applies the ``PUFA_DB_*`` limits."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        retry_after_s: float = 5.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self._writes = sessionmaker(engine, expire_on_commit=False)
        self._reads = sessionmaker(engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False)
        self._clock = clock or (lambda: datetime.now(UTC))
        self.retry_after_s = retry_after_s
        self._down_until = 0.0
        own_timeout = settings.db_sqlite_busy_timeout_s if self.is_sqlite else settings.db_statement_timeout_s
        # the longest a caller may wait for one write, whatever the network does
        self.deadline_s = own_timeout + settings.db_pool_timeout_s + 1.0

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        retry_after_s: float = 5.0,
        clock: Callable[[], datetime] | None = None,
    ) -> Database:
        """Connect with the settings' limits and check the schema is at head (NotMigratedError otherwise).

        A database that does not answer at all is not fatal (turns are spooled until it does). Every
        wait is bounded by the settings' timeouts (SQLite busy timeout, PostgreSQL statement and lock
        timeouts, pool timeout).
        """
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(
            settings.effective_database_url,
            settings.db_sqlite_busy_timeout_s,
            statement_timeout_s=settings.db_statement_timeout_s,
            pool_timeout_s=settings.db_pool_timeout_s,
            connect_timeout_s=settings.db_connect_timeout_s,
        )
        try:
            ensure_migrated(engine)
        except NotMigratedError:
            engine.dispose()
            raise
        except TRANSIENT as error:
            log.warning("records database not answering at start-up: %s", reason_of(error))
        return cls(engine, settings, retry_after_s=retry_after_s, clock=clock)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(str(self.engine.url))

    def now(self) -> datetime:
        """The records' clock (UTC); tests set it."""
        return self._clock()

    # --- transactions -------------------------------------------------------------------------

    def writing(self) -> AbstractContextManager[Session]:
        """A write transaction; database failures surface as DatabaseUnavailable (Chinese message)."""
        return self._guarded(self._writes)

    def reading(self) -> AbstractContextManager[Session]:
        """A read-only transaction, guarded like ``writing``."""
        return self._guarded(self._reads)

    @contextmanager
    def raw_writing(self) -> Iterator[Session]:
        """A write transaction whose failures propagate as they are (the turn log tells transient ones)."""
        with self._writes.begin() as db:
            yield db

    @contextmanager
    def raw_reading(self) -> Iterator[Session]:
        """A read transaction whose failures propagate as they are."""
        with self._reads.begin() as db:
            yield db

    @contextmanager
    def _guarded(self, maker: sessionmaker[Session]) -> Iterator[Session]:
        try:
            with maker.begin() as db:
                yield db
        except TRANSIENT as error:
            raise DatabaseUnavailable(reason_of(error)) from error
        except sa_exc.ProgrammingError as error:
            log.error("records database refused a statement: %s", reason_of(error))
            raise DatabaseSchemaError(reason_of(error)) from error

    # --- whether the database answers ---------------------------------------------------------

    @property
    def down(self) -> bool:
        """True for a while after the database failed to answer (callers then skip it)."""
        return time.monotonic() < self._down_until

    def mark_down(self) -> None:
        """Skip the database for ``retry_after_s``; on SQLite also drop pooled connections, so the next
        try reopens the file (one opened read-only stays read-only even after it became writable)."""
        self._down_until = time.monotonic() + self.retry_after_s
        if self.is_sqlite:
            self.engine.dispose()

    def mark_hanging(self) -> None:
        """Skip the database for ``retry_after_s`` (a write got no answer; its connection is still busy)."""
        self._down_until = time.monotonic() + self.retry_after_s

    def mark_up(self) -> None:
        self._down_until = 0.0
