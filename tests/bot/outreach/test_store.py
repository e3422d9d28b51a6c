"""The outreach log on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from bot.outreach.db import alembic_config, current_revision, head_revision, make_engine, upgrade
from bot.outreach.errors import NotMigratedError, OutreachError
from bot.outreach.models import Base, PersonRow, SessionRow, TurnRow
from bot.outreach.store import OutreachStore
from bot.outreach.units import UnitRegister
from bot.outreach.uscc import InvalidCreditCode
from bot.settings import Settings
from tests.support.outreach import BACKENDS, T0, backend_settings, credit_code, make_turn

MICE = credit_code(1)
GENOMICS = credit_code(2)


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with backend_settings(request.param, tmp_path, admin_ids=frozenset({42})) as value:
        yield value


@pytest.fixture
def store(settings: Settings) -> Iterator[OutreachStore]:
    opened = OutreachStore.open(settings)
    yield opened
    opened.close()


@pytest.fixture
def units(store: OutreachStore) -> OutreachStore:
    """Two units with one lab user each and one inspector."""
    store.register("tg:1", "张三", "康源实验动物技术有限公司", MICE, ("lab_animals",))
    store.register("tg:2", "李四", "华基因组科技有限公司", GENOMICS, ("human_genetic_resources",))
    store.set_role("tg:9", "inspector", "王检查")
    return store


def count(store: OutreachStore, model: type[Base], *where: object) -> int:
    with store._reads.begin() as db:
        return db.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_unmigrated_database_is_refused_with_the_command_to_run(backend: str, tmp_path: Path) -> None:
    with backend_settings(backend, tmp_path, migrate=False) as settings:
        with pytest.raises(NotMigratedError) as caught:
            OutreachStore.open(settings)
        assert "数据库尚未初始化或版本过旧，请先运行：pufa db upgrade" in str(caught.value)


def test_migrations_match_the_models_and_downgrade(settings: Settings) -> None:
    engine = make_engine(settings.effective_database_url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    command.downgrade(alembic_config(engine), "base")
    assert current_revision(engine) is None
    assert upgrade(engine) == head_revision()
    engine.dispose()


def test_turns_within_the_gap_share_an_online_session(units: OutreachStore) -> None:
    for minutes in (0, 10, 35, 60):  # gaps of 10, 25, 25 minutes: one session
        units.record_turn(make_turn("tg:1", T0 + timedelta(minutes=minutes)))
    units.record_turn(make_turn("tg:1", T0 + timedelta(minutes=91)))  # 31 minutes later: a new one
    units.record_turn(make_turn("tg:2", T0 + timedelta(minutes=5)))
    assert count(units, TurnRow) == 6
    assert count(units, SessionRow, SessionRow.kind == "online") == 3


def test_session_gap_is_configurable(tmp_path: Path) -> None:
    with backend_settings("sqlite", tmp_path, session_gap_minutes=5) as settings:
        store = OutreachStore.open(settings)
        store.record_turn(make_turn("term:alice", T0, channel="terminal"))
        store.record_turn(make_turn("term:alice", T0 + timedelta(minutes=4), channel="terminal"))
        store.record_turn(make_turn("term:alice", T0 + timedelta(minutes=10), channel="terminal"))
        assert count(store, SessionRow) == 2
        store.close()


def test_the_same_turn_twice_is_stored_once(units: OutreachStore) -> None:
    turn = make_turn("tg:1")
    units.record_turn(turn)
    units.record_turn(turn)
    assert count(units, TurnRow) == 1


def test_onsite_session_collects_questions_of_the_units_lab_users(units: OutreachStore) -> None:
    started = units.start_onsite("tg:9", "康源", "2024-007", at=T0)
    assert started.unit.credit_code == MICE
    assert started.inspectors == ("王检查",)
    assert started.domains == ("lab_animals",)
    units.record_turn(make_turn("tg:1", T0 + timedelta(minutes=20)))  # member of the unit: on-site
    units.record_turn(make_turn("tg:2", T0 + timedelta(minutes=20)))  # another unit: online
    units.record_turn(make_turn("tg:9", T0 + timedelta(minutes=25)))  # the inspector himself: on-site
    ended = units.end_onsite("tg:9", 25, "许可条件宣讲", at=T0 + timedelta(hours=2))
    assert (ended.questions, ended.attendees, ended.note) == (2, 25, "许可条件宣讲")
    assert ended.ended_at == T0 + timedelta(hours=2)
    units.record_turn(make_turn("tg:1", T0 + timedelta(hours=3)))  # after the end: online again
    assert count(units, SessionRow, SessionRow.kind == "online") == 2
    assert units.open_onsite("tg:9") is None


def test_onsite_by_credit_code_and_a_second_inspector_joins(units: OutreachStore) -> None:
    units.set_role("tg:8", "inspector", "赵检查")
    first = units.start_onsite("tg:9", GENOMICS.lower(), at=T0)
    second = units.start_onsite("tg:8", "华基因组科技有限公司", at=T0 + timedelta(minutes=5))
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
def test_onsite_start_errors_are_explained(units: OutreachStore, query: str, fragment: str) -> None:
    with pytest.raises(OutreachError) as caught:
        units.start_onsite("tg:9", query)
    assert fragment in str(caught.value)


def test_onsite_rules(units: OutreachStore) -> None:
    with pytest.raises(OutreachError, match="只有执法检查人员或管理员"):
        units.start_onsite("tg:1", "康源")
    with pytest.raises(OutreachError, match="没有进行中的现场普法活动"):
        units.end_onsite("tg:9", 3)
    units.start_onsite("tg:42", "康源")  # an admin from PUFA_ADMIN_IDS may run one too
    units.start_onsite("tg:9", "华基因组")
    with pytest.raises(OutreachError, match="“华基因组科技有限公司”的现场普法活动尚未结束"):
        units.start_onsite("tg:9", "康源")
    with pytest.raises(OutreachError, match="参加人数"):
        units.end_onsite("tg:9", -1)


def test_roles(units: OutreachStore) -> None:
    assert units.role_of("tg:42") == "admin"
    assert units.role_of("tg:9") == "inspector"
    assert units.role_of("tg:1") == "lab"
    assert units.role_of("term:nobody") == "lab"
    units.set_role("tg:9", "lab")
    assert units.role_of("tg:9") == "lab"
    with pytest.raises(OutreachError, match="未知的角色"):
        units.set_role("tg:9", "boss")


def test_register_validates_code_and_merges_domains(store: OutreachStore) -> None:
    with pytest.raises(InvalidCreditCode, match="校验位不正确"):
        store.register("tg:1", "张三", "某公司", MICE[:-1] + ("0" if MICE[-1] != "0" else "1"))
    with pytest.raises(OutreachError, match="未知的领域"):
        store.register("tg:1", "张三", "某公司", MICE, ("plants",))
    store.register("tg:1", "张三", "康源", MICE, ("lab_animals",))
    unit = store.register(
        "tg:3", "钱五", "康源", MICE, ("human_genetic_resources",), licence_no="SYXK(京)2024-0001"
    )
    assert unit.domains == ("human_genetic_resources", "lab_animals")
    assert unit.licence_no == "SYXK(京)2024-0001"
    assert [u.name for u in UnitRegister(store).list()] == ["康源"]


def test_feedback(units: OutreachStore) -> None:
    turn = make_turn("tg:1")
    units.record_turn(turn)
    assert units.record_feedback(turn.uid, 1)
    assert units.record_feedback(turn.uid, -1)  # a change of mind replaces the first
    assert not units.record_feedback("0123456789abcdef", 1)
    with pytest.raises(OutreachError):
        units.record_feedback(turn.uid, 5)
    assert units.history("tg:1")[0].feedback == -1


def test_history_is_own_newest_first(units: OutreachStore) -> None:
    for minute in range(12):
        units.record_turn(make_turn("tg:1", T0 + timedelta(minutes=minute), question=f"问题{minute}"))
    units.record_turn(make_turn("tg:2", T0, question="别人的问题"))
    items = units.history("tg:1")
    assert [item.question for item in items] == [f"问题{m}" for m in range(11, 1, -1)]
    assert items[0].citations[0].article == 18
    assert items[0].session_kind == "online"
    assert units.history("tg:404") == []


def test_forget_erases_personal_data_and_keeps_counts(units: OutreachStore) -> None:
    for minute in range(3):
        units.record_turn(make_turn("tg:1", T0 + timedelta(minutes=minute), question="我单位的秘密问题"))
    units.record_turn(make_turn("tg:2", T0))
    before = units.stats(2024).to_dict()
    assert units.forget("tg:1") == 3
    with units._reads.begin() as db:
        assert db.scalar(select(func.count()).where(PersonRow.person_key == "tg:1")) == 0
        forgotten = db.scalars(select(PersonRow).where(PersonRow.forgotten_at.is_not(None))).one()
        assert (forgotten.person_key, forgotten.display_name) == (None, "")
        questions = db.scalars(select(TurnRow.question).where(TurnRow.person_id == forgotten.id)).all()
        assert questions == [None, None, None]
        assert db.scalar(select(TurnRow.question).where(TurnRow.person_id != forgotten.id)) is not None
    assert units.history("tg:1") == []
    assert units.stats(2024).to_dict() == before
    assert units.forget("tg:1") == 0


def _populate(store: OutreachStore) -> None:
    store.record_turn(make_turn("tg:1", T0, citations=(("reg-a", 18), ("reg-b", 3))))
    store.record_turn(make_turn("tg:1", T0 + timedelta(minutes=5), declined=True, citations=()))
    store.record_turn(
        make_turn(
            "tg:2", T0 + timedelta(days=40), domains=("human_genetic_resources",), citations=(("reg-b", 3),)
        )
    )
    store.record_turn(
        make_turn("term:carol", T0 + timedelta(days=200), domains=(), citations=(("reg-b", 3),))
    )
    store.start_onsite("tg:9", "康源", "2024-001", at=T0 + timedelta(days=100))
    store.end_onsite("tg:9", 30, at=T0 + timedelta(days=100, hours=2))
    store.record_turn(make_turn("tg:1", T0.replace(year=2023)))  # another year


def test_stats_figures_and_report_paragraph(units: OutreachStore) -> None:
    _populate(units)
    units.record_feedback(_uid_of(units, "tg:1"), 1)
    stats = units.stats(2024, titles={"reg-b": "实验动物管理条例"})
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


def _uid_of(store: OutreachStore, person_key: str) -> str:
    with store._reads.begin() as db:
        return (
            db.scalars(
                select(TurnRow.uid)
                .join(PersonRow, PersonRow.id == TurnRow.person_id)
                .where(PersonRow.person_key == person_key)
            ).first()
            or ""
        )


def test_stats_by_quarter_and_domain(units: OutreachStore) -> None:
    _populate(units)
    q1 = units.stats(2024, quarter=1)
    assert list(q1.by_month) == [1, 2, 3]
    assert (q1.online, q1.onsite, q1.questions) == (1, 0, 2)
    assert q1.report_paragraph.startswith("2024年第一季度开展普法宣传1次")
    genetic = units.stats(2024, domain="human_genetic_resources")
    assert (genetic.online, genetic.onsite, genetic.questions) == (1, 0, 1)
    assert genetic.units_reached == {"all": 1, "human_genetic_resources": 1}
    assert "（人类遗传资源领域）" in genetic.report_paragraph
    assert units.stats(2030).sessions == 0
    with pytest.raises(OutreachError):
        units.stats(2024, quarter=5)
