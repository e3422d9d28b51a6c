"""Register of units and recorded on-site sessions.

- units: address, contact, updated_at (the register imported from the bureau's spreadsheet).
- outreach_sessions: topic and recorded_by (who entered an on-site session: ``tg:<id>``,
  ``cli:<user>`` or ``import:<file>``). An on-site session recorded after the fact has
  started_at/ended_at set (it is never "open"); one run live with /outreach_start has ended_at NULL
  until /outreach_end.
- session_articles: the articles explained at an on-site session (doc_id, article number).
- session_audit: every creation, correction and deletion of an on-site session, kept after the
  session is deleted (no foreign key); ``details`` is JSON: the fields changed ({field: [old, new]})
  or, for a deletion, the whole session as it was.
- unit_requests: a self-registration naming a unit that is not in the register, queued for an admin
  to confirm (the unit is then added and the person linked) or reject.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("address", sa.String(length=300), nullable=False, server_default=""))
        batch.add_column(sa.Column("contact", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("outreach_sessions") as batch:
        batch.add_column(sa.Column("topic", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("recorded_by", sa.String(length=100), nullable=False, server_default=""))
    op.create_table(
        "session_articles",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("doc_id", sa.String(length=100), nullable=False),
        sa.Column("article", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["outreach_sessions.id"],
            name="fk_session_articles_session_id_outreach_sessions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "doc_id", "article", name="pk_session_articles"),
    )
    op.create_table(
        "session_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_session_audit"),
    )
    op.create_index("ix_session_audit_session_id", "session_audit", ["session_id"])
    op.create_table(
        "unit_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.String(length=10), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_unit_requests_person_id_people", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_unit_requests"),
    )


def downgrade() -> None:
    op.drop_table("unit_requests")
    op.drop_index("ix_session_audit_session_id", table_name="session_audit")
    op.drop_table("session_audit")
    op.drop_table("session_articles")
    with op.batch_alter_table("outreach_sessions") as batch:
        batch.drop_column("recorded_by")
        batch.drop_column("topic")
    with op.batch_alter_table("units") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("contact")
        batch.drop_column("address")
