"""Inspector training: hours by kind and topic, and quiz answers.

Revision ID: 0003
Revises: 0001 (temporarily: 0002 is on branch issue-10; the lead re-chains this to 0002 on merge)
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspector", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_training_records"),
    )
    op.create_index("ix_training_records_inspector", "training_records", ["inspector"])
    op.create_index("ix_training_records_day", "training_records", ["day"])
    op.create_table(
        "quiz_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspector", sa.String(length=100), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("question_id", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("doc_id", sa.String(length=100), nullable=False),
        sa.Column("article", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_quiz_answers_person_id_people", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_quiz_answers"),
    )
    op.create_index("ix_quiz_answers_inspector", "quiz_answers", ["inspector"])
    op.create_index("ix_quiz_answers_person_id", "quiz_answers", ["person_id"])
    op.create_index("ix_quiz_answers_answered_at", "quiz_answers", ["answered_at"])


def downgrade() -> None:
    op.drop_table("quiz_answers")
    op.drop_table("training_records")
