"""TurnRecord: one question and answer as a surface hands it to the outreach log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from knowledge.models import Answer, ArticleRef


def new_turn_uid() -> str:
    """A fresh client-side turn id (16 hex digits); replays of the same turn reuse it."""
    return uuid.uuid4().hex[:16]


@dataclass(frozen=True)
class TurnRecord:
    """What is logged for one answer. ``person_key`` is ``tg:<id>`` or ``term:<os user>``."""

    uid: str
    person_key: str
    display_name: str
    channel: str  # "telegram" | "terminal"
    question: str
    answer_mode: str
    citations: tuple[ArticleRef, ...]
    declined: bool
    latency_ms: float
    domains: tuple[str, ...]
    asked_at: datetime  # tz-aware UTC

    @classmethod
    def from_answer(
        cls,
        answer: Answer,
        *,
        person_key: str,
        display_name: str,
        channel: str,
        latency_ms: float,
        asked_at: datetime | None = None,
        uid: str | None = None,
        domains: tuple[str, ...] | None = None,
    ) -> TurnRecord:
        """Build the record of ``answer`` (a fresh uid unless given), asked now unless ``asked_at`` is given,
        with ``domains`` (the answer's own unless given)."""
        return cls(
            uid=uid or new_turn_uid(),
            person_key=person_key,
            display_name=display_name,
            channel=channel,
            question=answer.question,
            answer_mode=answer.mode,
            citations=tuple(answer.citations),
            declined=answer.declined,
            latency_ms=latency_ms,
            domains=tuple(answer.domains) if domains is None else domains,
            asked_at=asked_at or datetime.now(UTC),
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (for the spool file)."""
        return {
            "uid": self.uid,
            "person_key": self.person_key,
            "display_name": self.display_name,
            "channel": self.channel,
            "question": self.question,
            "answer_mode": self.answer_mode,
            "citations": [ref.as_dict() for ref in self.citations],
            "declined": self.declined,
            "latency_ms": self.latency_ms,
            "domains": list(self.domains),
            "asked_at": self.asked_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TurnRecord:
        return cls(
            uid=str(data["uid"]),
            person_key=str(data["person_key"]),
            display_name=str(data["display_name"]),
            channel=str(data["channel"]),
            question=str(data["question"]),
            answer_mode=str(data["answer_mode"]),
            citations=tuple(ArticleRef(str(c["doc_id"]), int(c["article"])) for c in data["citations"]),
            declined=bool(data["declined"]),
            latency_ms=float(data["latency_ms"]),
            domains=tuple(str(d) for d in data["domains"]),
            asked_at=datetime.fromisoformat(data["asked_at"]),
        )
