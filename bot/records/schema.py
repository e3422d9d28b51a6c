"""The records schema: running the Alembic migrations of ``migrations/`` (config built in code) and
checking that a database is at head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from bot.records.errors import NotMigratedError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at bot/records/migrations; env.py reuses ``engine``."""
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
    assert head is not None, "bot/records/migrations/versions holds no revision"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# pg_advisory_lock key of `pufa db upgrade` ("pufa" in ASCII): one migration at a time per database
_MIGRATION_LOCK = 0x70756661


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Apply migrations up to ``revision``; return the revision now in the database.

    On PostgreSQL a concurrent run waits for this one (advisory lock) and then finds nothing to do;
    SQLite serializes the migration's write transaction itself.
    """
    if engine.dialect.name != "postgresql":
        command.upgrade(alembic_config(engine), revision)
        return current_revision(engine) or ""
    with engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
        holder.commit()
        try:
            command.upgrade(alembic_config(engine), revision)
        finally:
            holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
            holder.commit()
    return current_revision(engine) or ""


def ensure_migrated(engine: Engine) -> None:
    """Raise NotMigratedError (naming ``pufa db upgrade``) unless the schema is at head."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise NotMigratedError(f"当前版本 {current or '无'}，需要 {head}")
