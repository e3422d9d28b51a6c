"""``record_answer``: the one way a surface answers a question and logs it (terminal, Telegram, web)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.records.subjects import article_subjects
from bot.records.turns.log import TurnLog
from bot.records.turns.record import TurnRecord
from knowledge.law.library import Library
from knowledge.models import Answer


class Asks(Protocol):
    """Whatever answers a question (``knowledge.Assistant``), over its library of articles."""

    @property
    def library(self) -> Library: ...

    def ask(self, question: str) -> Answer: ...


def subject_domains(library: Library, answer: Answer) -> tuple[str, ...]:
    """The domains of an answer for the records: those of the subjects of the articles it cites
    (生物安全法's articles on human genetic resources count as 人类遗传资源, not by their document), or —
    citing none — the answer's own."""
    cited = [ref for ref in answer.citations if ref in library.articles]
    if not cited:
        return tuple(answer.domains)
    return tuple(sorted({domain for ref in cited for domain in article_subjects(library, ref)}))


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
    domains: tuple[str, ...],
    asked_at: datetime | None = None,
    uid: str | None = None,
) -> TurnRecord:
    """Build the record of an answer and log it (database or spool) — before the answer is shown."""
    record = TurnRecord.from_answer(
        answer,
        domains=domains,
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
    domains = subject_domains(assistant.library, answer)
    return answer, log_answer(turns, answer, latency_ms, asker, domains=domains, asked_at=asked_at, uid=uid)
