"""The write-ahead inbox: open questions survive a restart; the journal does not grow without bound."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.telegram.inbox import Inbox, Received


def question(n: int) -> Received:
    return Received(f"{n:016x}", 7003, 1000 + n, 7003, "张三", "实验动物可以混养吗？" * 20, datetime.now(UTC))


def test_open_questions_survive_and_the_journal_stays_small(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path)
    for n in range(5000):
        inbox.received(question(n))
        if n % 1000:  # every thousandth stays unanswered, as if the process died while answering it
            inbox.answered(question(n).uid)
    assert inbox.path.stat().st_size < 2 * 1024 * 1024
    reopened = Inbox(tmp_path).unanswered()
    assert [q.message_id for q in reopened] == [1000 + n for n in range(0, 5000, 1000)]
    assert (reopened[0].uid, reopened[0].question) == (question(0).uid, question(0).question)
