"""Concurrent `pufa db upgrade` on a fresh PostgreSQL (the probe: 4 of 6 failed with "duplicate key"):
each run waits on the advisory lock, then finds the schema at head and succeeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.records.db import make_engine
from bot.records.schema import current_revision, head_revision
from tests.support.outreach import PG_URL, SKIP_PG, pg_schema

REPO = Path(__file__).resolve().parents[4]


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason=SKIP_PG)
def test_six_concurrent_upgrades_of_a_fresh_database_all_succeed(tmp_path: Path) -> None:
    with pg_schema() as url:
        env = {**os.environ, "DATABASE_URL": url, "PUFA_DATA_DIR": str(tmp_path)}
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "bot.cli.main", "db", "upgrade"],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(6)
        ]
        outcomes = [(run.wait(timeout=300), run.stderr.read() if run.stderr else "") for run in runs]
        assert [code for code, _ in outcomes] == [0] * 6, [err for _, err in outcomes]
        engine = make_engine(url)
        try:
            assert current_revision(engine) == head_revision()
        finally:
            engine.dispose()
