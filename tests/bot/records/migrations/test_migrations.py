"""The records schema: refused until migrated; migrations match the models and downgrade."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text

from bot.records.db import Database, make_engine
from bot.records.errors import NotMigratedError
from bot.records.models import Base
from bot.records.schema import alembic_config, current_revision, head_revision, upgrade
from bot.records.services import Records
from bot.records.sessions.records import SessionInput
from bot.records.training import models as training_models  # noqa: F401 - the training tables share Base
from bot.records.units.register import UnitInput
from bot.settings import Settings
from tests.support.outreach import BACKENDS, backend_settings, credit_code

MICE = credit_code(1)
GENOMICS = credit_code(2)


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with backend_settings(request.param, tmp_path, admin_ids=frozenset({42})) as value:
        yield value


@pytest.fixture
def units(store: Records) -> Records:
    """Two units with one lab user each and one inspector."""
    store.units.enrol("tg:1", "张三", UnitInput("康源实验动物技术有限公司", MICE, ("lab_animals",)))
    store.units.enrol(
        "tg:2", "李四", UnitInput("华基因组科技有限公司", GENOMICS, ("human_genetic_resources",))
    )
    store.people.set_role("tg:9", "inspector", "王检查")
    return store


def count(store: Records, model: type[Base], *where: object) -> int:
    with store.database.raw_reading() as db:
        return db.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_unmigrated_database_is_refused_with_the_command_to_run(backend: str, tmp_path: Path) -> None:
    with backend_settings(backend, tmp_path, migrate=False) as settings:
        with pytest.raises(NotMigratedError) as caught:
            Records.open(settings)
        assert "数据库尚未初始化或版本过旧，请先运行：pufa db upgrade" in str(caught.value)


def test_migrations_match_the_models_and_downgrade(settings: Settings) -> None:
    engine = make_engine(settings.effective_database_url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    command.downgrade(alembic_config(engine), "base")
    assert current_revision(engine) is None
    assert upgrade(engine) == head_revision()
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_0005_keeps_deleted_numbers_taken_and_tombstones_doubled_training(
    backend: str, tmp_path: Path
) -> None:
    with backend_settings(backend, tmp_path, migrate=False) as settings:
        engine = make_engine(settings.effective_database_url)
        upgrade(engine, "0004")
        at = datetime(2025, 3, 1, 2, 0)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO units (name, credit_code, created_at, address, contact) "
                    "VALUES ('康源', :code, :at, '', '')"
                ),
                {"code": MICE, "at": at},
            )
            for number in (1, 2, 3):
                connection.execute(
                    text(
                        "INSERT INTO outreach_sessions (kind, channel, unit_id, started_at, last_activity_at, "
                        "ended_at, inspection_no, note, topic, recorded_by) "
                        "VALUES ('onsite', 'onsite', (SELECT id FROM units), :at, :at, :at, '', '', '', '')"
                    ),
                    {"at": at + timedelta(days=number)},
                )
            # session 3 deleted before 0005: gone from the table, kept in the audit
            details = json.dumps({"reason": "重复登记", "unit": "康源"}, ensure_ascii=False)
            connection.execute(
                text(
                    "INSERT INTO session_audit (session_id, action, actor, at, details) "
                    "VALUES (3, 'delete', 'cli:王检查', :at, :details)"
                ),
                {"at": at, "details": details},
            )
            connection.execute(text("DELETE FROM outreach_sessions WHERE id = 3"))
            for _ in range(2):  # a sheet imported twice
                connection.execute(
                    text(
                        "INSERT INTO training_records (inspector, day, hours, kind, topic, source, created_at) "
                        "VALUES ('王五', '2025-03-01', 4, '讲座', '', 'import', :at)"
                    ),
                    {"at": at},
                )
        assert upgrade(engine) == head_revision()
        records = Records.over(Database(engine, settings))
        tomb = records.sessions.audit(3)
        assert [entry["action"] for entry in tomb] == ["delete"]
        added = records.sessions.add(SessionInput(unit=MICE, day=date(2025, 5, 1), attendees=3), "cli:李科长")
        assert added.id > 3  # on SQLite too: the deleted number stays taken
        assert [s.id for s in records.sessions.list(2025)] == [1, 2, added.id]
        report = records.training.report(2025, today=date(2025, 12, 31))
        assert {s.inspector: s.hours for s in report.inspectors} == {"王五": 4}
        engine.dispose()
