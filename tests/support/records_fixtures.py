"""Fixtures of the records tests: the services over the requesting module's ``settings`` (a fresh database),
two enrolled units with one lab user each and an inspector, and a row counter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot.records.models import Base
from bot.records.services import Records
from bot.records.units.register import UnitInput
from bot.settings import Settings
from tests.support.outreach import credit_code

MICE = credit_code(1)
GENOMICS = credit_code(2)


@pytest.fixture
def store(settings: Settings) -> Iterator[Records]:
    opened = Records.open(settings)
    yield opened
    opened.close()


@pytest.fixture
def units(store: Records) -> Records:
    """Two units with one lab user each and one inspector."""
    store.units.enrol("tg:1", "张三", UnitInput("康源实验动物技术有限公司", MICE, ("lab_animals",)))
    store.units.enrol("tg:2", "李四", UnitInput("华基因组科技有限公司", GENOMICS, ("human_genetic_resources",)))
    store.people.set_role("tg:9", "inspector", "王检查")
    return store


def count(store: Records, model: type[Base], *where: object) -> int:
    with store.database.raw_reading() as db:
        return db.scalar(select(func.count()).select_from(model).where(*where)) or 0
