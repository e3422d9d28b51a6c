"""Console accounts of the web application (admin / inspector), with one-time set-up links.

Revision ID: 0006
Revises: 0005 (records ledger)
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("setup_token_hash", sa.String(length=64), nullable=True),
        sa.Column("setup_expires_at", sa.DateTime(), nullable=True),
        sa.Column("telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_web_accounts"),
        sa.UniqueConstraint("name", name="uq_web_accounts_name"),
        sa.UniqueConstraint("setup_token_hash", name="uq_web_accounts_setup_token_hash"),
        sa.UniqueConstraint("telegram_id", name="uq_web_accounts_telegram_id"),
    )


def downgrade() -> None:
    op.drop_table("web_accounts")
