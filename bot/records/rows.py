"""Row helpers every records service shares: storable text, conflict-free inserts, a person found or created."""

from __future__ import annotations

import re
from datetime import datetime
from typing import cast

from sqlalchemy import Insert, Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.records.models import Base, PersonRow

# C0 controls except tab and newline, DEL and C1 controls: PostgreSQL refuses NUL, none belongs in a log.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def storable(value: str) -> str:
    """``value`` without NUL and other control characters (tab and newline kept)."""
    return _CONTROL.sub("", value)


# Bound parameter names differ from column names: in an UPDATE, Core reads such names as SET values.
_PERSON = (
    select(PersonRow.id, PersonRow.unit_id, PersonRow.display_name, PersonRow.role)
    .where(PersonRow.person_key == bindparam("key"))
    .with_for_update()
)
_RENAME = update(PersonRow).where(PersonRow.id == bindparam("pid")).values(display_name=bindparam("name"))


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class (typed as a Table, which every model here maps to)."""
    return cast(Table, model.__table__)


def insert_ignoring_conflicts(db: Session, model: type[Base]) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` into ``model``'s table, for SQLite and PostgreSQL."""
    table = table_of(model)
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"unsupported database dialect: {dialect}")


def person_for_update(
    db: Session, person_key: str, display_name: str, now: datetime, *, naming: bool = False
) -> tuple[int, int | None]:
    """(id, unit id) of the person with ``person_key``, created if new, row-locked for this transaction.

    A lab user's name follows their Telegram name; an inspector's or admin's stays the one given when the
    role was granted (``naming``: this call gives it), so their records and training credit keep one name.
    """
    display_name = storable(display_name)
    row = db.execute(_PERSON, {"key": person_key}).first()
    if row is None:
        db.execute(
            insert_ignoring_conflicts(db, PersonRow),
            {"person_key": person_key, "display_name": display_name, "role": "lab", "created_at": now},
        )
        row = db.execute(_PERSON, {"key": person_key}).one()
    if display_name and row.display_name != display_name and (naming or row.role == "lab"):
        db.execute(_RENAME, {"pid": row.id, "name": display_name})
    return row.id, row.unit_id
