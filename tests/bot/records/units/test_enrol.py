"""A person enrolling with their unit: the code checked, domains merged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.records.errors import RecordsError
from bot.records.services import Records
from bot.records.training import models as training_models  # noqa: F401 - the training tables share Base
from bot.records.units.register import UnitInput
from bot.records.units.uscc import InvalidCreditCode
from bot.settings import Settings
from tests.support.outreach import BACKENDS, backend_settings
from tests.support.records_fixtures import MICE


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with backend_settings(request.param, tmp_path, admin_ids=frozenset({42})) as value:
        yield value


def test_register_validates_code_and_merges_domains(store: Records) -> None:
    with pytest.raises(InvalidCreditCode, match="校验位不正确"):
        store.units.enrol("tg:1", "张三", UnitInput("某公司", MICE[:-1] + ("0" if MICE[-1] != "0" else "1"), ()))
    with pytest.raises(RecordsError, match="未知的领域"):
        store.units.enrol("tg:1", "张三", UnitInput("某公司", MICE, ("plants",)))
    store.units.enrol("tg:1", "张三", UnitInput("康源", MICE, ("lab_animals",)))
    unit = store.units.enrol("tg:3", "钱五", UnitInput("康源", MICE, ("human_genetic_resources",), licence_no="SYXK(京)2024-0001"))
    assert unit.domains == ("human_genetic_resources", "lab_animals")
    assert unit.licence_no == "SYXK(京)2024-0001"
    assert [u.name for u in store.units.list()] == ["康源"]
