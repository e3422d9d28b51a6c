"""People: roles, own history, forgetting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.records.errors import RecordsError
from bot.records.models import PersonRow, TurnRow
from bot.records.services import Records
from bot.records.training import models as training_models  # noqa: F401 - the training tables share Base
from bot.settings import Settings
from tests.support.outreach import BACKENDS, T0, backend_settings, make_turn


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with backend_settings(request.param, tmp_path, admin_ids=frozenset({42})) as value:
        yield value


def test_roles(units: Records) -> None:
    assert units.people.role_of("tg:42") == "admin"
    assert units.people.role_of("tg:9") == "inspector"
    assert units.people.role_of("tg:1") == "lab"
    assert units.people.role_of("term:nobody") == "lab"
    units.people.set_role("tg:9", "lab")
    assert units.people.role_of("tg:9") == "lab"
    with pytest.raises(RecordsError, match="未知的角色"):
        units.people.set_role("tg:9", "boss")

def test_history_is_own_newest_first(units: Records) -> None:
    for minute in range(12):
        units.turns.record(make_turn("tg:1", T0 + timedelta(minutes=minute), question=f"问题{minute}"))
    units.turns.record(make_turn("tg:2", T0, question="别人的问题"))
    items = units.people.history("tg:1")
    assert [item.question for item in items] == [f"问题{m}" for m in range(11, 1, -1)]
    assert items[0].citations[0].article == 18
    assert items[0].session_kind == "online"
    assert units.people.history("tg:404") == []

def test_forget_erases_personal_data_and_keeps_counts(units: Records) -> None:
    for minute in range(3):
        units.turns.record(make_turn("tg:1", T0 + timedelta(minutes=minute), question="我单位的秘密问题"))
    units.turns.record(make_turn("tg:2", T0))
    before = units.reports.stats(2024).to_dict()
    assert units.people.forget("tg:1") == 3
    with units.database.raw_reading() as db:
        assert db.scalar(select(func.count()).where(PersonRow.person_key == "tg:1")) == 0
        forgotten = db.scalars(select(PersonRow).where(PersonRow.forgotten_at.is_not(None))).one()
        assert (forgotten.person_key, forgotten.display_name) == (None, "")
        questions = db.scalars(select(TurnRow.question).where(TurnRow.person_id == forgotten.id)).all()
        assert questions == [None, None, None]
        assert db.scalar(select(TurnRow.question).where(TurnRow.person_id != forgotten.id)) is not None
    assert units.people.history("tg:1") == []
    assert units.reports.stats(2024).to_dict() == before
    assert units.people.forget("tg:1") == 0
