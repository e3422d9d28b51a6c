"""Engines for SQLite and PostgreSQL, and the Alembic migrations (config built in code)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from bot.outreach.errors import NotMigratedError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


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


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at bot/outreach/migrations; env.py reuses ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None, "bot/outreach/migrations/versions holds no revision"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Apply migrations up to ``revision``; return the revision now in the database."""
    command.upgrade(alembic_config(engine), revision)
    return current_revision(engine) or ""


def ensure_migrated(engine: Engine) -> None:
    """Raise NotMigratedError (naming ``pufa db upgrade``) unless the schema is at head."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise NotMigratedError(f"当前版本 {current or '无'}，需要 {head}")
