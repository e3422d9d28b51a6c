"""Control characters never reach the database; a SQLite file that becomes writable again is used again."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.records.models import TurnRow
from bot.records.services import Records
from tests.support.outreach import BACKENDS, PG_URL, SKIP_PG, TcpProxy, backend_settings, make_turn


@pytest.mark.parametrize("backend", BACKENDS)
def test_nul_and_control_characters_are_stripped_before_storage(backend: str, tmp_path: Path) -> None:
    with backend_settings(backend, tmp_path) as settings:
        store = Records.open(settings)
        try:
            store.turns.record(
                make_turn(
                    "tg:1", question="实验\x00动物\x07可以\x1b混养吗？\n第二行", display_name="张\x00三"
                )
            )
            assert not store.turns.spool.pending(), "the database took the turn"
            (item,) = store.people.history("tg:1")
            assert item.question == "实验动物可以混养吗？\n第二行"
        finally:
            store.close()


def _chattr(flag: str, path: Path) -> bool:
    tool = shutil.which("chattr")
    return bool(tool) and subprocess.run([tool, flag, str(path)], capture_output=True).returncode == 0


def test_sqlite_read_only_at_start_then_writable_is_used_without_restart(tmp_path: Path) -> None:
    """The file is immutable (read-only even for root) when the log opens, writable later: the periodic
    replay (``store.turns.replay``, run by the bot every PUFA_SPOOL_REPLAY_S) lands the spooled turn."""
    with backend_settings("sqlite", tmp_path) as settings:
        database = Path(make_url(settings.effective_database_url).database or "")
        if not _chattr("+i", database):
            pytest.skip("chattr +i is not available here")
        try:
            store = Records.open(
                settings.with_changes(db_sqlite_busy_timeout_s=0.2), retry_after_s=0
            )
            turn = make_turn("tg:1")
            store.turns.record(turn)
            assert [e["turn"]["uid"] for e in store.turns.spool.entries()] == [turn.uid]
        finally:
            _chattr("-i", database)
        try:
            assert store.turns.replay() == 1
            assert not store.turns.spool.pending()
            assert [item.question for item in store.people.history("tg:1")] == [turn.question]
        finally:
            store.close()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason=SKIP_PG)
def test_hanging_network_path_costs_a_turn_at_most_the_deadline(tmp_path: Path) -> None:
    """No database timeout fires when the network path hangs: the turn is spooled after the deadline,
    and lands exactly once when the path comes back."""
    with backend_settings("postgres", tmp_path) as direct:
        url = make_url(direct.database_url)
        proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
        proxy.start()
        settings = direct.with_changes(database_url=url.set(port=proxy.port).render_as_string(False),
            db_statement_timeout_s=1.0,
            db_pool_timeout_s=1.0,
        )
        store = Records.open(settings, retry_after_s=0)
        try:
            first, second = make_turn("tg:1"), make_turn("tg:1")
            store.turns.record(first)
            proxy.hang()
            started = time.monotonic()
            store.turns.record(second)
            assert time.monotonic() - started < 5, "bounded by statement + pool timeout + 1 s"
            assert [e["turn"]["uid"] for e in store.turns.spool.entries()] == [second.uid]
            proxy.resume()
            deadline = time.monotonic() + 30
            while store.turns.spool.pending() and time.monotonic() < deadline:
                store.turns.replay()
                time.sleep(0.2)
            with store.database.raw_reading() as db:
                uids = list(db.scalars(select(TurnRow.uid)))
            assert sorted(uids) == sorted([first.uid, second.uid])
        finally:
            store.close()
            proxy.stop()
