"""The write-ahead inbox: one journal per process; open questions of a process that is gone are adopted."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bot.telegram.inbox import LEGACY_INBOX_NAME, Inbox, Received


def question(n: int) -> Received:
    return Received(
        f"{n:032x}", 7003, 1000 + n, 7003, "张三", "实验动物可以混养吗？" * 20, datetime.now(UTC), 1, n
    )


def test_open_questions_survive_and_the_journal_stays_small(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path, "first")
    for n in range(5000):
        inbox.received(question(n))
        if n % 1000:  # every thousandth stays unanswered, as if the process died while answering it
            inbox.answered(question(n).uid)
    assert inbox.path.stat().st_size < 2 * 1024 * 1024
    inbox.close()  # the process is gone
    adopted = Inbox(tmp_path, "second").adopt_orphans()
    assert [a.question.message_id for a in adopted] == [1000 + n for n in range(0, 5000, 1000)]
    assert {a.owner for a in adopted} == {"first"}
    assert (adopted[0].question.uid, adopted[0].question.question) == (question(0).uid, question(0).question)
    assert not inbox.path.exists(), "the orphan journal is deleted once adopted"


def test_processes_sharing_a_folder_never_touch_each_others_entries(tmp_path: Path) -> None:
    """The probe: one process compacting a shared inbox erased the other's journaled question."""
    quiet, busy = Inbox(tmp_path, "quiet"), Inbox(tmp_path, "busy")
    quiet.received(question(0))  # journaled, being answered
    for n in range(1, 5000):  # the busy process compacts its journal many times
        busy.received(question(n))
        busy.answered(question(n).uid)
    assert busy.adopt_orphans() == [], "a running process' journal is not adopted"
    assert [q["received"]["uid"] for q in map(json.loads, quiet.path.read_text().splitlines())] == [
        question(0).uid
    ]
    quiet.close()
    assert [a.question.uid for a in busy.adopt_orphans()] == [question(0).uid]
    busy.close()
    later = Inbox(tmp_path, "later").adopt_orphans()
    assert [a.question.uid for a in later] == [question(0).uid], "adopted, still open, adopted again"


def test_the_journal_of_an_earlier_version_is_adopted(tmp_path: Path) -> None:
    legacy = {"received": question(7).to_json() | {"uid": "ab12"}}
    legacy["received"].pop("bot_id")
    legacy["received"].pop("update_id")
    (tmp_path / LEGACY_INBOX_NAME).write_text(json.dumps(legacy) + "\n")
    (adopted,) = Inbox(tmp_path, "new").adopt_orphans()
    assert (adopted.question.uid, adopted.question.update_id, adopted.owner) == ("ab12", None, "legacy")
    assert not (tmp_path / LEGACY_INBOX_NAME).exists()
