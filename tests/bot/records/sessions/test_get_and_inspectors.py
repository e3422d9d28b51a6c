"""Looking one on-site session up by number, and the register's inspectors (the console's pickers)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.records.errors import RecordsError
from bot.records.services import Records
from bot.records.sessions.records import SessionInput
from bot.records.units.register import UnitInput
from bot.settings import Settings
from tests.support.outreach import BACKENDS, backend_settings, credit_code


@pytest.fixture(params=BACKENDS)
def records(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Records]:
    settings: Settings
    with backend_settings(request.param, tmp_path) as settings:
        opened = Records.open(settings)
        yield opened
        opened.close()


def test_a_session_is_found_by_number_and_an_unknown_number_is_named(records: Records) -> None:
    records.units.add(UnitInput("康源实验动物技术有限公司", credit_code(1), ("lab_animals",)))
    records.people.set_role("tg:9", "inspector", "王检查")
    records.people.set_role("tg:8", "lab", "张三")
    added = records.sessions.add(SessionInput("康源", date(2025, 5, 6), 12, inspectors=("李检查",)), "cli:test")
    assert records.sessions.get(added.id) == added
    with pytest.raises(RecordsError, match=f"没有编号为 {added.id + 1} 的现场普法活动"):
        records.sessions.get(added.id + 1)
    assert records.people.inspectors() == sorted(["王检查", "李检查"])
