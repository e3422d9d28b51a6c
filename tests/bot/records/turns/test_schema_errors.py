"""A SQL or schema error (ProgrammingError) is not "the database is down": it is reported, the entry is
set aside once instead of waiting in the spool forever, and services say what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from bot.records.errors import DatabaseSchemaError
from bot.records.services import Records
from bot.records.units.register import UnitInput
from tests.support.outreach import PG_URL, SKIP_PG, backend_settings, credit_code, make_turn


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason=SKIP_PG)
def test_a_schema_error_is_reported_not_spooled_forever(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with backend_settings("postgres", tmp_path) as settings:
        records = Records.open(settings)
        engine = create_engine(settings.effective_database_url)
        try:
            with engine.begin() as connection:  # a schema that does not match the code
                connection.execute(sql("ALTER TABLE turns DROP COLUMN latency_ms"))
                connection.execute(sql("ALTER TABLE units DROP COLUMN contact"))
            turn = make_turn("tg:1")
            records.turns.record(turn)
            assert not records.database.down, "not mistaken for a database that does not answer"
            assert records.turns.replay() == 1
            assert not records.turns.spool.pending(), "set aside, not retried forever"
            rejected = [
                json.loads(line) for line in records.turns.spool.rejected_path.read_text().splitlines()
            ]
            assert [entry["turn"]["uid"] for entry in rejected] == [turn.uid]
            assert "latency_ms" in caplog.text
            with pytest.raises(DatabaseSchemaError, match="pufa db upgrade"):
                records.units.add(UnitInput("康源实验动物技术有限公司", credit_code(1), ("lab_animals",)))
        finally:
            engine.dispose()
            records.close()
