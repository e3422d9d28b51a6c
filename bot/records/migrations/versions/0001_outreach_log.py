"""Outreach log: units, people, sessions, turns and their link tables.

Revision ID: 0001
Revises:
Create Date: 2025-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _fk(column: str, table: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("licence_no", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_units"),
        sa.UniqueConstraint("credit_code", name="uq_units_credit_code"),
    )
    op.create_index("ix_units_name", "units", ["name"])
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(length=100), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("forgotten_at", sa.DateTime(), nullable=True),
        _fk("unit_id", "people", "units", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
        sa.UniqueConstraint("person_key", name="uq_people_person_key"),
    )
    op.create_index("ix_people_unit_id", "people", ["unit_id"])
    op.create_table(
        "unit_domains",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        _fk("unit_id", "unit_domains", "units", "CASCADE"),
        sa.PrimaryKeyConstraint("unit_id", "domain", name="pk_unit_domains"),
    )
    op.create_table(
        "outreach_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("inspection_no", sa.String(length=100), nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        _fk("person_id", "outreach_sessions", "people", "SET NULL"),
        _fk("unit_id", "outreach_sessions", "units", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_outreach_sessions"),
    )
    op.create_index("ix_outreach_sessions_open_onsite", "outreach_sessions", ["unit_id", "ended_at"])
    op.create_index(
        "ix_outreach_sessions_person_last", "outreach_sessions", ["person_id", "last_activity_at"]
    )
    op.create_index("ix_outreach_sessions_started_at", "outreach_sessions", ["started_at"])
    for table, column, target in (
        ("session_domains", "domain", None),
        ("session_inspectors", "person_id", "people"),
    ):
        op.create_table(
            table,
            sa.Column("session_id", sa.Integer(), nullable=False),
            sa.Column(column, sa.String(length=40) if target is None else sa.Integer(), nullable=False),
            _fk("session_id", table, "outreach_sessions", "CASCADE"),
            *([_fk(column, table, target, "CASCADE")] if target else []),
            sa.PrimaryKeyConstraint("session_id", column, name=f"pk_{table}"),
        )
    op.create_table(
        "turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("answer_mode", sa.String(length=20), nullable=False),
        sa.Column("declined", sa.Boolean(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("feedback", sa.SmallInteger(), nullable=True),
        _fk("person_id", "turns", "people", "SET NULL"),
        _fk("session_id", "turns", "outreach_sessions", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_turns"),
        sa.UniqueConstraint("uid", name="uq_turns_uid"),
    )
    op.create_index("ix_turns_asked_at", "turns", ["asked_at"])
    op.create_index("ix_turns_person_id", "turns", ["person_id"])
    op.create_index("ix_turns_session_id", "turns", ["session_id"])
    op.create_table(
        "turn_citations",
        sa.Column("turn_id", sa.Integer(), nullable=False),
        sa.Column("doc_id", sa.String(length=100), nullable=False),
        sa.Column("article", sa.Integer(), nullable=False),
        _fk("turn_id", "turn_citations", "turns", "CASCADE"),
        sa.PrimaryKeyConstraint("turn_id", "doc_id", "article", name="pk_turn_citations"),
    )
    op.create_table(
        "turn_domains",
        sa.Column("turn_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        _fk("turn_id", "turn_domains", "turns", "CASCADE"),
        sa.PrimaryKeyConstraint("turn_id", "domain", name="pk_turn_domains"),
    )


def downgrade() -> None:
    for table in (
        "turn_domains",
        "turn_citations",
        "turns",
        "session_inspectors",
        "session_domains",
        "outreach_sessions",
        "unit_domains",
        "people",
        "units",
    ):
        op.drop_table(table)
