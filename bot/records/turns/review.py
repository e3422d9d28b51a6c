"""Recent questions for review (the console's 问答记录): what was declined or disliked, with citations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import or_, select

from bot.records.db import Database
from bot.records.models import TurnCitationRow, TurnRow
from knowledge.models import ArticleRef

ReviewFilter = Literal["all", "declined", "disliked", "attention"]
MAX_REVIEW = 500


@dataclass(frozen=True)
class ReviewedTurn:
    """One logged question: never who asked (only the channel)."""

    asked_at: datetime
    channel: str
    question: str  # "" once the person asked pufa to forget them
    declined: bool
    feedback: int | None
    answer_mode: str
    citations: tuple[ArticleRef, ...]


class TurnReview:
    """The latest questions, newest first, over the records database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def recent(self, limit: int = 100, only: ReviewFilter = "all") -> list[ReviewedTurn]:
        """At most ``limit`` (≤ 500) turns: all, the declined, the disliked (👎), or either of those."""
        query = select(TurnRow).order_by(TurnRow.asked_at.desc(), TurnRow.id.desc()).limit(min(limit, MAX_REVIEW))
        declined, disliked = TurnRow.declined.is_(True), TurnRow.feedback == -1
        conditions = {"declined": declined, "disliked": disliked, "attention": or_(declined, disliked)}
        if only in conditions:
            query = query.where(conditions[only])
        with self.database.reading() as db:
            rows = db.scalars(query).all()
            cited: dict[int, list[ArticleRef]] = {}
            for turn_id, doc_id, article in db.execute(
                select(TurnCitationRow.turn_id, TurnCitationRow.doc_id, TurnCitationRow.article)
                .where(TurnCitationRow.turn_id.in_([r.id for r in rows]))
                .order_by(TurnCitationRow.doc_id, TurnCitationRow.article)
            ):
                cited.setdefault(turn_id, []).append(ArticleRef(doc_id, article))
            return [
                ReviewedTurn(
                    r.asked_at, r.channel, r.question or "", r.declined, r.feedback, r.answer_mode,
                    tuple(cited.get(r.id, ())),
                )
                for r in rows
            ]
