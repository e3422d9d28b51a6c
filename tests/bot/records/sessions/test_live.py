"""Live on-site sessions (/outreach_start, /outreach_end) on a real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.records.errors import RecordsError
from bot.records.models import SessionRow
from bot.records.services import Records
from bot.records.training import models as training_models  # noqa: F401 - the training tables share Base
from bot.settings import Settings
from tests.support.outreach import BACKENDS, T0, backend_settings, credit_code, make_turn
from tests.support.records_fixtures import GENOMICS, MICE, count


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with backend_settings(request.param, tmp_path, admin_ids=frozenset({42})) as value:
        yield value


def test_onsite_session_collects_questions_of_the_units_lab_users(units: Records) -> None:
    started = units.sessions.start("tg:9", "康源", "2024-007", at=T0)
    assert started.unit.credit_code == MICE
    assert started.inspectors == ("王检查",)
    assert started.domains == ("lab_animals",)
    units.turns.record(make_turn("tg:1", T0 + timedelta(minutes=20)))  # member of the unit: on-site
    units.turns.record(make_turn("tg:2", T0 + timedelta(minutes=20)))  # another unit: online
    units.turns.record(make_turn("tg:9", T0 + timedelta(minutes=25)))  # the inspector himself: on-site
    ended = units.sessions.end("tg:9", 25, "许可条件宣讲", at=T0 + timedelta(hours=2))
    assert (ended.questions, ended.attendees, ended.note) == (2, 25, "许可条件宣讲")
    assert ended.ended_at == T0 + timedelta(hours=2)
    units.turns.record(make_turn("tg:1", T0 + timedelta(hours=3)))  # after the end: online again
    assert count(units, SessionRow, SessionRow.kind == "online") == 2
    assert units.sessions.current("tg:9") is None

def test_onsite_by_credit_code_and_a_second_inspector_joins(units: Records) -> None:
    units.people.set_role("tg:8", "inspector", "赵检查")
    first = units.sessions.start("tg:9", GENOMICS.lower(), at=T0)
    second = units.sessions.start("tg:8", "华基因组科技有限公司", at=T0 + timedelta(minutes=5))
    assert second.id == first.id
    assert second.inspectors == ("王检查", "赵检查")

@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("不存在的单位", "执法对象库中没有单位“不存在的单位”"),
        ("有限公司", "匹配到多个单位"),
        (credit_code(77), "执法对象库中没有单位"),
        ("  ", "请提供单位名称或统一社会信用代码"),
    ],
)
def test_onsite_start_errors_are_explained(units: Records, query: str, fragment: str) -> None:
    with pytest.raises(RecordsError) as caught:
        units.sessions.start("tg:9", query)
    assert fragment in str(caught.value)

def test_onsite_rules(units: Records) -> None:
    with pytest.raises(RecordsError, match="只有执法检查人员或管理员"):
        units.sessions.start("tg:1", "康源")
    with pytest.raises(RecordsError, match="没有进行中的现场普法活动"):
        units.sessions.end("tg:9", 3)
    units.sessions.start("tg:42", "康源")  # an admin from PUFA_ADMIN_IDS may run one too
    units.sessions.start("tg:9", "华基因组")
    with pytest.raises(RecordsError, match="“华基因组科技有限公司”的现场普法活动尚未结束"):
        units.sessions.start("tg:9", "康源")
    with pytest.raises(RecordsError, match="参加人数"):
        units.sessions.end("tg:9", -1)
