"""The outreach figures and the report paragraph on a real database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

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


def _populate(store: Records) -> None:
    store.turns.record(make_turn("tg:1", T0, citations=(("reg-a", 18), ("reg-b", 3))))
    store.turns.record(make_turn("tg:1", T0 + timedelta(minutes=5), declined=True, citations=()))
    store.turns.record(
        make_turn(
            "tg:2", T0 + timedelta(days=40), domains=("human_genetic_resources",), citations=(("reg-b", 3),)
        )
    )
    store.turns.record(
        make_turn("term:carol", T0 + timedelta(days=200), domains=(), citations=(("reg-b", 3),))
    )
    store.sessions.start("tg:9", "康源", "2024-001", at=T0 + timedelta(days=100))
    store.sessions.end("tg:9", 30, at=T0 + timedelta(days=100, hours=2))
    store.turns.record(make_turn("tg:1", T0.replace(year=2023)))  # another year

def test_stats_figures_and_report_paragraph(units: Records) -> None:
    _populate(units)
    units.turns.record_feedback(_uid_of(units, "tg:1"), 1)
    stats = units.reports.stats(2024, titles={"reg-b": "实验动物管理条例"})
    assert (stats.online, stats.onsite, stats.attendees) == (3, 1, 30)
    assert stats.by_month[3] == {"online": 1, "onsite": 0}
    assert stats.by_month[4] == {"online": 1, "onsite": 0}
    assert stats.by_month[6] == {"online": 0, "onsite": 1}
    assert stats.by_month_domain[9]["none"] == 1
    assert stats.units_registered == {"all": 2, "lab_animals": 1, "human_genetic_resources": 1}
    assert stats.units_reached == {"all": 2, "lab_animals": 1, "human_genetic_resources": 1}
    assert (stats.questions, stats.answered, stats.declined) == (4, 3, 1)
    assert (stats.feedback_up, stats.feedback_down, stats.feedback_ratio) == (1, 0, 1.0)
    assert [(a.doc_id, a.article, a.count) for a in stats.top_articles] == [("reg-b", 3, 3), ("reg-a", 18, 1)]
    assert stats.top_articles[0].label == "《实验动物管理条例》第三条"
    paragraph = stats.report_paragraph
    assert paragraph.startswith("2024年全年开展普法宣传4次（其中现场1次、线上3次）")
    assert "按领域分：实验动物2次、人类遗传资源1次" in paragraph
    assert "覆盖1家实验动物许可单位中的1家、1家人类遗传资源单位中的1家，合计覆盖执法对象单位2家" in paragraph
    assert "引用最多的条文为《实验动物管理条例》第三条、未知文件（reg-a）第十八条" in paragraph
    assert "解答咨询3条" in paragraph and "另有1条" in paragraph
    assert json.loads(json.dumps(stats.to_dict(), ensure_ascii=False))["sessions"]["total"] == 4

def _uid_of(store: Records, person_key: str) -> str:
    with store.database.raw_reading() as db:
        return (
            db.scalars(
                select(TurnRow.uid)
                .join(PersonRow, PersonRow.id == TurnRow.person_id)
                .where(PersonRow.person_key == person_key)
            ).first()
            or ""
        )

def test_stats_by_quarter_and_domain(units: Records) -> None:
    _populate(units)
    q1 = units.reports.stats(2024, quarter=1)
    assert list(q1.by_month) == [1, 2, 3]
    assert (q1.online, q1.onsite, q1.questions) == (1, 0, 2)
    assert q1.report_paragraph.startswith("2024年第一季度开展普法宣传1次")
    genetic = units.reports.stats(2024, domain="human_genetic_resources")
    assert (genetic.online, genetic.onsite, genetic.questions) == (1, 0, 1)
    assert genetic.units_reached == {"all": 1, "human_genetic_resources": 1}
    assert "（人类遗传资源领域）" in genetic.report_paragraph
    assert units.reports.stats(2030).sessions == 0
    with pytest.raises(RecordsError):
        units.reports.stats(2024, quarter=5)
