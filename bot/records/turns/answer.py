"""``record_answer``: the one way a surface answers a question and logs it (terminal, Telegram, web)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.records.turns.log import TurnLog
from bot.records.turns.record import TurnRecord
from knowledge.models import Answer


class Asks(Protocol):
    """Whatever answers a question (``knowledge.Assistant``)."""

    def ask(self, question: str) -> Answer: ...


@dataclass(frozen=True)
class Asker:
    """Who asked, as the surface knows them: ``person_key`` is ``tg:<id>`` or ``term:<os user>``."""

    person_key: str
    display_name: str
    channel: str  # "telegram" | "terminal"


def timed_answer(assistant: Asks, question: str) -> tuple[Answer, float]:
    """The answer and the answer function's own latency in milliseconds."""
    started = time.perf_counter()
    answer = assistant.ask(question)
    return answer, (time.perf_counter() - started) * 1000


def log_answer(
    turns: TurnLog,
    answer: Answer,
    latency_ms: float,
    asker: Asker,
    *,
    asked_at: datetime | None = None,
    uid: str | None = None,
) -> TurnRecord:
    """Build the record of an answer and log it (database or spool) — before the answer is shown."""
    record = TurnRecord.from_answer(
        answer,
        uid=uid,
        person_key=asker.person_key,
        display_name=asker.display_name,
        channel=asker.channel,
        latency_ms=latency_ms,
        asked_at=asked_at,
    )
    turns.record(record)
    return record


def record_answer(
    assistant: Asks,
    turns: TurnLog,
    question: str,
    asker: Asker,
    *,
    asked_at: datetime | None = None,
    uid: str | None = None,
) -> tuple[Answer, TurnRecord]:
    """Time the answer, build its record, log it: every surface answers a question through this."""
    answer, latency_ms = timed_answer(assistant, question)
    return answer, log_answer(turns, answer, latency_ms, asker, asked_at=asked_at, uid=uid)
