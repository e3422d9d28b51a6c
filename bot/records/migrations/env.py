"""Alembic environment of the records database; the config is built by bot.records.schema.alembic_config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from bot.records.db import is_sqlite, make_engine
from bot.records.models import Base
from bot.records.training import models as training_models  # noqa: F401 - the training tables share Base

config = context.config


def run_migrations_online() -> None:
    engine: Engine = config.attributes.get("engine") or make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=is_sqlite(str(engine.url)),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=Base.metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
