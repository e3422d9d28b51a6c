"""The turn log on a real database (SQLite, and PostgreSQL when configured): sessions, once-only turns, feedback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.records.errors import RecordsError
from bot.records.models import SessionRow, TurnRow
from bot.records.services import Records
from bot.records.training import models as training_models  # noqa: F401 - the training tables share Base
from bot.settings import Settings
from tests.support.outreach import BACKENDS, T0, backend_settings, make_turn
from tests.support.records_fixtures import count


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with backend_settings(request.param, tmp_path, admin_ids=frozenset({42})) as value:
        yield value


def test_turns_within_the_gap_share_an_online_session(units: Records) -> None:
    for minutes in (0, 10, 35, 60):  # gaps of 10, 25, 25 minutes: one session
        units.turns.record(make_turn("tg:1", T0 + timedelta(minutes=minutes)))
    units.turns.record(make_turn("tg:1", T0 + timedelta(minutes=91)))  # 31 minutes later: a new one
    units.turns.record(make_turn("tg:2", T0 + timedelta(minutes=5)))
    assert count(units, TurnRow) == 6
    assert count(units, SessionRow, SessionRow.kind == "online") == 3

def test_a_late_turn_joins_the_session_it_falls_within(units: Records) -> None:
    """A turn replayed from the spool after later turns were stored opens no second session."""
    for minutes in (10, 20):
        units.turns.record(make_turn("tg:1", T0 + timedelta(minutes=minutes)))
    units.turns.record(make_turn("tg:1", T0))  # written last, asked first
    units.turns.record(make_turn("tg:1", T0 + timedelta(minutes=15)))
    with units.database.raw_reading() as db:
        sessions = db.execute(select(SessionRow.started_at, SessionRow.ended_at)).all()
    assert [(s.started_at, s.ended_at) for s in sessions] == [(T0, T0 + timedelta(minutes=20))]


def test_session_gap_is_configurable(tmp_path: Path) -> None:
    with backend_settings("sqlite", tmp_path, session_gap_minutes=5) as settings:
        store = Records.open(settings)
        store.turns.record(make_turn("term:alice", T0, channel="terminal"))
        store.turns.record(make_turn("term:alice", T0 + timedelta(minutes=4), channel="terminal"))
        store.turns.record(make_turn("term:alice", T0 + timedelta(minutes=10), channel="terminal"))
        assert count(store, SessionRow) == 2
        store.close()

def test_the_same_turn_twice_is_stored_once(units: Records) -> None:
    turn = make_turn("tg:1")
    units.turns.record(turn)
    units.turns.record(turn)
    assert count(units, TurnRow) == 1

def test_feedback(units: Records) -> None:
    turn = make_turn("tg:1")
    units.turns.record(turn)
    assert units.turns.record_feedback(turn.uid, 1)
    assert units.turns.record_feedback(turn.uid, -1)  # a change of mind replaces the first
    assert not units.turns.record_feedback("0123456789abcdef", 1)
    with pytest.raises(RecordsError):
        units.turns.record_feedback(turn.uid, 5)
    assert units.people.history("tg:1")[0].feedback == -1
