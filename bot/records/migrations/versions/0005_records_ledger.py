"""Records the bureau can sign: tombstones instead of deletes, retired units, import batches.

- outreach_sessions: ``deleted_at``/``deleted_by``/``delete_reason`` (a deletion keeps the row, so the
  number is never given again) and ``batch_id`` (the import that added it). A session deleted before this
  revision is brought back as a tombstone from its audit trail, so its number stays taken on SQLite too.
- units: ``retired_on`` and ``retire_reason`` (kept in history, out of coverage from that day).
- training_records: ``batch_id`` and ``deleted_at``; rows that an earlier re-import doubled (same
  inspector, day, kind, topic, hours and score) become tombstones, keeping the first.
- import_batches, import_changes: what each import added or updated, for ``--undo BATCH``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outreach_sessions") as batch:
        batch.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("deleted_by", sa.String(length=100), server_default="", nullable=False))
        batch.add_column(sa.Column("delete_reason", sa.Text(), server_default="", nullable=False))
        batch.create_index("ix_outreach_sessions_batch_id", ["batch_id"])
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("retired_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("retire_reason", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("training_records") as batch:
        batch.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
        batch.create_index("ix_training_records_batch_id", ["batch_id"])
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file", sa.String(length=300), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by", sa.String(length=100), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_import_batches"),
    )
    op.create_table(
        "import_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("before", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name="fk_import_changes_batch_id_import_batches",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_changes"),
    )
    op.create_index("ix_import_changes_batch_id", "import_changes", ["batch_id"])
    _tombstones_from_audit()
    _tombstone_doubled_training()


def _tombstones_from_audit() -> None:
    """A tombstone row for every session deleted before this revision (its number stays taken)."""
    bind = op.get_bind()
    deleted = bind.execute(
        sa.text(
            "SELECT a.session_id, a.actor, a.at, a.details FROM session_audit a "
            "WHERE a.action = 'delete' AND a.session_id NOT IN (SELECT id FROM outreach_sessions)"
        )
    ).all()
    for session_id, actor, at, details in deleted:
        reason = str(json.loads(details).get("reason", "")) if details else ""
        bind.execute(
            sa.text(
                "INSERT INTO outreach_sessions (id, kind, channel, started_at, last_activity_at, "
                "inspection_no, note, topic, recorded_by, deleted_at, deleted_by, delete_reason) "
                "VALUES (:id, 'onsite', 'onsite', :at, :at, '', '', '', '', :at, :actor, :reason)"
            ),
            {"id": session_id, "at": at, "actor": actor, "reason": reason},
        )
    # PostgreSQL: the sequence already went past every number it gave, deleted or not.


def _tombstone_doubled_training() -> None:
    """Rows equal to an earlier one (a sheet imported twice) become tombstones; the first is kept."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, inspector, day, kind, topic, hours, score FROM training_records ORDER BY id")
    ).all()
    seen: set[tuple[object, ...]] = set()
    now = datetime.now(UTC).replace(tzinfo=None)
    for row in rows:
        key = tuple(row[1:])
        if key in seen:
            bind.execute(
                sa.text("UPDATE training_records SET deleted_at = :now WHERE id = :id"),
                {"now": now, "id": row[0]},
            )
        seen.add(key)


def downgrade() -> None:
    op.drop_index("ix_import_changes_batch_id", table_name="import_changes")
    op.drop_table("import_changes")
    op.drop_table("import_batches")
    op.execute("DELETE FROM training_records WHERE deleted_at IS NOT NULL")
    with op.batch_alter_table("training_records") as batch:
        batch.drop_index("ix_training_records_batch_id")
        batch.drop_column("deleted_at")
        batch.drop_column("batch_id")
    with op.batch_alter_table("units") as batch:
        batch.drop_column("retire_reason")
        batch.drop_column("retired_on")
    op.execute("DELETE FROM outreach_sessions WHERE deleted_at IS NOT NULL")
    with op.batch_alter_table("outreach_sessions") as batch:
        batch.drop_index("ix_outreach_sessions_batch_id")
        batch.drop_column("delete_reason")
        batch.drop_column("deleted_by")
        batch.drop_column("deleted_at")
        batch.drop_column("batch_id")
