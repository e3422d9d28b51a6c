"""Quiz credit goes to the person behind the Telegram account (the /grant name), never faster than the
minimum time per question and never beyond the daily cap (the probe: one inspector under two names,
a script earning ~0.7 training hours a minute)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.records.services import Records
from bot.settings import Settings
from knowledge.index.snapshot import read_snapshot
from knowledge.law.library import Library
from knowledge.quiz import QuizBank
from tests.support.outreach import BACKENDS, backend_settings, make_turn

NOON = datetime(2025, 6, 2, 4, tzinfo=UTC)  # 12:00 Beijing time


@pytest.mark.parametrize("backend", BACKENDS)
def test_credit_goes_to_the_granted_name_within_the_minimum_time_and_the_daily_cap(
    backend: str, tmp_path: Path, settings: Settings
) -> None:
    bank = QuizBank.from_library(Library(read_snapshot(settings.data_dir)))
    now = [NOON]
    limits = {
        "quiz_minutes_per_question": 6.0,
        "quiz_min_seconds_per_question": 8.0,
        "quiz_daily_credited_questions": 3,
    }
    with backend_settings(backend, tmp_path, **limits) as db_settings:
        records = Records.open(db_settings, clock=lambda: now[0])
        try:
            records.people.set_role("tg:42", "inspector", "张三")
            records.turns.record(make_turn("tg:42", NOON, display_name="小张"))  # their Telegram name
            training = records.training
            question = bank.practice(1, None)
            assert not training.record_answer("tg:42", question, True, 2.0), "answered too fast"
            assert [training.record_answer("tg:42", question, True, 12.0) for _ in range(4)] == [
                True,
                True,
                True,
                False,  # over the daily cap
            ]
            now[0] = NOON + timedelta(days=1)
            assert training.record_answer("tg:42", question, False, 30.0), "a new day, a new cap"
            report = training.report(2025, today=date(2025, 6, 3))
            names = [s.inspector for s in report.inspectors]
            assert names == ["张三"], "one person, one name: the one /grant gave"
            (summary,) = report.inspectors
            assert summary.quiz_answered == 4 and summary.quiz_hours == pytest.approx(0.4)
        finally:
            records.close()
