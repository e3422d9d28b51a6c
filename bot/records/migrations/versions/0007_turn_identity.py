"""Turn identity from the source: one claim per Telegram message and update, so each is answered once;
quiz answers marked whether they count as training time.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "turn_claims",
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("update_key", sa.String(length=100), nullable=True),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("uid", name="pk_turn_claims"),
        sa.UniqueConstraint("source", name="uq_turn_claims_source"),
        sa.UniqueConstraint("update_key", name="uq_turn_claims_update_key"),
    )

    with op.batch_alter_table("quiz_answers") as batch:
        batch.add_column(sa.Column("credited", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("quiz_answers") as batch:
        batch.drop_column("credited")
    op.drop_table("turn_claims")
