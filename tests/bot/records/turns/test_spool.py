"""Nothing lost: database failures mid-run, replay exactly once, 50 concurrent writers."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bot.records.models import SessionRow, TurnRow
from bot.records.services import Records
from bot.records.turns.record import TurnRecord
from bot.records.turns.spool import Spool
from bot.settings import Settings
from tests.support.outreach import BACKENDS, PG_URL, SKIP_PG, T0, TcpProxy, backend_settings, make_turn


def stored_uids(store: Records) -> list[str]:
    with store.database.raw_reading() as db:
        return list(db.scalars(select(TurnRow.uid)))


def turns_for(person: str, n: int, offset: int = 0) -> list[TurnRecord]:
    return [make_turn(person, T0 + timedelta(minutes=offset + i)) for i in range(n)]


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Iterator[Settings]:
    with backend_settings("sqlite", tmp_path) as settings:
        yield settings


def test_sqlite_locked_mid_run_spools_and_replays_each_turn_once(sqlite_settings: Settings) -> None:
    store = Records.open(sqlite_settings.with_changes(db_sqlite_busy_timeout_s=0.1), retry_after_s=0)
    turns = turns_for("tg:1", 30)
    for turn in turns[:10]:
        store.turns.record(turn)
    locker = sqlite3.connect(make_url(sqlite_settings.effective_database_url).database, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    for turn in turns[10:20]:
        store.turns.record(turn)  # must not raise
    assert store.turns.spool.pending()
    assert len(store.turns.spool.entries()) == 10
    locker.execute("ROLLBACK")
    locker.close()
    for turn in turns[20:]:
        store.turns.record(turn)  # the first success replays the spool
    assert not store.turns.spool.pending()
    uids = stored_uids(store)
    assert sorted(uids) == sorted(t.uid for t in turns)
    store.close()


def test_spooled_turns_are_replayed_at_start_up(sqlite_settings: Settings) -> None:
    store = Records.open(sqlite_settings.with_changes(db_sqlite_busy_timeout_s=0.1), retry_after_s=60)
    locker = sqlite3.connect(make_url(sqlite_settings.effective_database_url).database, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    turns = turns_for("tg:1", 5)
    for turn in turns:
        store.turns.record(turn)
    store.turns.record_feedback(turns[0].uid, 1)  # feedback on a turn that is still spooled
    store.close()
    locker.execute("ROLLBACK")
    locker.close()
    reopened = Records.open(sqlite_settings)
    assert sorted(stored_uids(reopened)) == sorted(t.uid for t in turns)
    assert not reopened.turns.spool.pending()
    assert reopened.people.history("tg:1")[-1].feedback == 1
    reopened.close()


def test_a_replay_interrupted_after_writing_does_not_duplicate(sqlite_settings: Settings) -> None:
    store = Records.open(sqlite_settings)
    turns = turns_for("tg:1", 4)
    for turn in turns[:2]:
        store.turns.record(turn)
    # A crash after these entries were applied but before the replay file was deleted leaves them behind.
    leftover = sqlite_settings.data_dir / "outreach-spool.deadbeef.replay"
    leftover.write_text(
        "".join(json.dumps({"type": "turn", "turn": t.to_json()}) + "\n" for t in turns) + '{"type": "tu',
        encoding="utf-8",
    )
    assert store.turns.replay() == 4  # the torn last line is skipped
    assert sorted(stored_uids(store)) == sorted(t.uid for t in turns)
    assert not leftover.exists()
    store.close()


def test_a_broken_entry_is_set_aside_without_blocking_the_rest(sqlite_settings: Settings) -> None:
    store = Records.open(sqlite_settings)
    good = make_turn("tg:1")
    store.turns.spool.append({"type": "turn", "turn": {"uid": "x"}})
    store.turns.spool.append({"type": "turn", "turn": good.to_json()})
    store.turns.replay()
    assert stored_uids(store) == [good.uid]
    assert '"uid": "x"' in store.turns.spool.rejected_path.read_text(encoding="utf-8")
    store.close()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason=SKIP_PG)
def test_postgres_down_mid_run_spools_and_replays_each_turn_once(tmp_path: Path) -> None:
    with backend_settings("postgres", tmp_path) as direct:
        url = make_url(direct.database_url)
        proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
        proxy.start()
        settings = Settings(
            data_dir=direct.data_dir, database_url=url.set(port=proxy.port).render_as_string(False)
        )
        store = Records.open(settings, retry_after_s=0)
        turns = turns_for("tg:1", 30) + turns_for("tg:2", 30)
        for turn in turns[:20]:
            store.turns.record(turn)
        proxy.stop()  # the database goes away: open connections cut, new ones refused
        for turn in turns[20:40]:
            store.turns.record(turn)
        assert len(store.turns.spool.entries()) == 20
        proxy.start()
        for turn in turns[40:]:
            store.turns.record(turn)
        assert not store.turns.spool.pending()
        assert sorted(stored_uids(store)) == sorted(t.uid for t in turns)
        store.close()
        proxy.stop()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason=SKIP_PG)
def test_postgres_connections_terminated_mid_run_lose_nothing(tmp_path: Path) -> None:
    with backend_settings("postgres", tmp_path) as direct:
        name = f"pufa_test_{uuid.uuid4().hex[:8]}"
        url = make_url(direct.database_url).update_query_dict({"application_name": name})
        settings = Settings(data_dir=direct.data_dir, database_url=url.render_as_string(hide_password=False))
        store = Records.open(settings, retry_after_s=0)
        turns = turns_for("tg:1", 20)
        for turn in turns[:10]:
            store.turns.record(turn)
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :name"
                ),
                {"name": name},
            ).scalar()
        admin.dispose()
        assert killed
        for turn in turns[10:]:
            store.turns.record(turn)
        store.turns.replay()
        assert sorted(stored_uids(store)) == sorted(t.uid for t in turns)
        store.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_fifty_concurrent_sessions_lose_and_duplicate_nothing(backend: str, tmp_path: Path) -> None:
    with backend_settings(backend, tmp_path) as settings:
        store = Records.open(settings)
        people = [f"tg:{1000 + i}" for i in range(50)]
        plan = {person: turns_for(person, 8) for person in people}
        start = threading.Barrier(len(people))

        def run(person: str) -> None:
            start.wait()
            for turn in plan[person]:
                store.turns.record(turn)
            store.turns.record(plan[person][0])  # a retried delivery of the same turn

        threads = [threading.Thread(target=run, args=(person,)) for person in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        store.turns.replay()
        uids = stored_uids(store)
        assert len(uids) == len(set(uids)) == 400
        assert set(uids) == {t.uid for turns in plan.values() for t in turns}
        with store.database.raw_reading() as db:
            assert db.scalar(select(func.count()).select_from(SessionRow)) == 50
        assert not store.turns.spool.pending()
        store.close()


def test_looking_at_the_spool_while_another_thread_replays_it_never_fails(tmp_path: Path) -> None:
    """``pending`` and ``entries`` run without the lock (after every logged turn): a replay file removed
    between listing and reading is skipped. It used to raise FileNotFoundError out of ``TurnLog.record``."""
    spool = Spool(tmp_path)
    stop = threading.Event()
    failures: list[BaseException] = []

    def replaying() -> None:
        while not stop.is_set():
            spool.append({"type": "feedback", "uid": "x", "value": 1})
            spool.replay(lambda entry: None)

    def looking() -> None:
        try:
            while not stop.is_set():
                spool.pending()
                spool.entries()
        except BaseException as error:  # noqa: BLE001 - the failure is what the test reports
            failures.append(error)

    threads = [threading.Thread(target=replaying), threading.Thread(target=looking)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    stop.set()
    for thread in threads:
        thread.join()
    assert failures == []
