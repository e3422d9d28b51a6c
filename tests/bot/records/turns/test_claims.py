"""Turn claims on a real database: one delivery of a source is answered, redeliveries and peers are not."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.records.db import Database, make_engine
from bot.records.turns.claims import (
    Claim,
    TurnClaims,
    TurnSource,
    source_uid,
    telegram_key,
    telegram_update_key,
)
from bot.settings import Settings
from tests.support.outreach import BACKENDS, T0, backend_settings


def telegram(message_id: int, update_id: int) -> TurnSource:
    key = telegram_key(123, 7003, message_id)
    return TurnSource(key, telegram_update_key(123, update_id), source_uid(key))


@pytest.fixture(params=BACKENDS)
def clocked(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[TurnClaims, list[datetime]]]:
    now = [T0]
    with backend_settings(request.param, tmp_path) as settings:
        database = Database.open(settings, clock=lambda: now[0])
        yield TurnClaims(database, lease_s=60), now
        database.close()


def test_one_claim_per_message_and_per_update(clocked: tuple[TurnClaims, list[datetime]]) -> None:
    claims, _ = clocked
    assert claims.claim(telegram(1000, 1), "proc-a") is Claim.MINE
    assert claims.claim(telegram(1000, 1), "proc-b") is Claim.TAKEN, "a second process sees the claim"
    assert claims.claim(telegram(1000, 1), "proc-a") is Claim.TAKEN, "a redelivery to the same process"
    assert claims.claim(telegram(1000, 9), "proc-b") is Claim.TAKEN, "same message, another update"
    assert claims.claim(telegram(1001, 1), "proc-b") is Claim.TAKEN, "same update id, another message"
    assert claims.claim(telegram(1001, 2), "proc-b") is Claim.MINE


def test_a_dead_owner_is_taken_over_but_an_answered_question_never(
    clocked: tuple[TurnClaims, list[datetime]],
) -> None:
    claims, now = clocked
    assert claims.claim(telegram(1000, 1), "dead") is Claim.MINE
    assert claims.claim(telegram(1000, 1), "proc-b", take_from="other") is Claim.TAKEN
    assert claims.claim(telegram(1000, 1), "proc-b", take_from="dead") is Claim.MINE
    claims.answered(telegram(1000, 1).uid)
    assert claims.claim(telegram(1000, 1), "proc-c", take_from="proc-b") is Claim.TAKEN
    assert claims.claim(telegram(2000, 2), "slow") is Claim.MINE
    now[0] = T0 + timedelta(seconds=59)
    assert claims.claim(telegram(2000, 2), "proc-b") is Claim.TAKEN, "within the lease"
    now[0] = T0 + timedelta(seconds=61)
    assert claims.claim(telegram(2000, 2), "proc-b") is Claim.MINE, "the lease ran out unanswered"


def test_a_database_that_does_not_answer_leaves_the_claim_unknown(tmp_path: Path) -> None:
    """The caller then answers anyway (the turn still lands once: its uid comes from the source)."""
    closed_port = "postgresql+psycopg://postgres@127.0.0.1:1/none"
    settings = Settings(data_dir=tmp_path, database_url=closed_port, db_connect_timeout_s=1)
    database = Database(make_engine(closed_port, connect_timeout_s=1), settings)
    assert TurnClaims(database, 60).claim(telegram(1, 1), "proc-a") is Claim.UNKNOWN
    assert database.down
    assert TurnClaims(database, 60).claim(telegram(2, 2), "proc-a") is Claim.UNKNOWN, "skipped while down"
