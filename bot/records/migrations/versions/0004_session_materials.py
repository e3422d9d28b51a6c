"""Materials used at an on-site session: the pre-inspection briefing, the handout and the cases in them.

Revision ID: 0004
Revises: 0003 (issue 13); on this branch temporarily 0002 (issue 10) until the lead re-chains
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("brief_date", sa.Date(), nullable=False),
        sa.Column("case_ids", sa.String(length=1000), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_session_materials"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["outreach_sessions.id"],
            name="fk_session_materials_session_id_outreach_sessions",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("session_id", "kind", name="uq_session_materials_session_id"),
    )


def downgrade() -> None:
    op.drop_table("session_materials")
