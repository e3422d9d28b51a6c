"""Over random years of records, every total is the sum of its parts, and ``pufa stats``, ``pufa export``
and the report paragraph tell the same figures (a property test, on a real SQLite database)."""

from __future__ import annotations

import csv
import json
import re
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.records.calendar import REPORT_TZ
from bot.records.services import Records
from bot.records.sessions.records import SessionInput
from bot.records.units.register import UnitInput
from bot.reports.titles import document_titles
from tests.support.cli import run_pufa
from tests.support.outreach import backend_settings, credit_code, make_turn

YEAR = 2025
DOMAINS = ("lab_animals", "human_genetic_resources", "biosafety")

units = st.lists(
    st.sets(st.sampled_from(DOMAINS[:2]), min_size=1), min_size=1, max_size=4
)  # the domains of each unit
onsite = st.lists(
    st.tuples(
        st.integers(0, 3),  # which unit
        st.dates(date(YEAR, 1, 1), date(YEAR, 12, 31)),
        st.integers(8, 17),  # hour
        st.integers(0, 300),  # attendees
        st.sets(st.sampled_from(DOMAINS), max_size=3),  # chosen domains (none: the unit's)
        st.booleans(),  # deleted afterwards
    ),
    max_size=12,
)
online = st.lists(
    st.tuples(
        st.integers(0, 5),  # who (people 0-3 work for units 0-3)
        st.integers(0, 364 * 24),  # hour of the year (UTC)
        st.sets(st.sampled_from(DOMAINS), max_size=2),
        st.booleans(),  # declined
    ),
    max_size=25,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(units=units, onsite=onsite, online=online)
def test_totals_are_the_sums_of_their_parts_and_every_output_agrees(
    units: list[set[str]],
    onsite: list[tuple[int, date, int, int, set[str], bool]],
    online: list[tuple[int, int, set[str], bool]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with tempfile.TemporaryDirectory() as folder, backend_settings("sqlite", Path(folder)) as db_settings:
        records = Records.open(db_settings)
        try:
            _fill(records, units, onsite, online)
            figures = records.reports.stats(
                YEAR, titles=document_titles(db_settings.data_dir, db_settings.corpus_dir)
            )
        finally:
            records.close()
        _check_sums(figures.to_dict())

        shown = run_pufa(["stats", "--year", str(YEAR), "--json"], db_settings, monkeypatch, capsys)
        assert shown.code == 0, shown.err
        assert json.loads(shown.out) == json.loads(json.dumps(figures.to_dict(), ensure_ascii=False))

        out = Path(folder) / "export.csv"
        exported = run_pufa(
            ["export", "--year", str(YEAR), "--out", str(out)], db_settings, monkeypatch, capsys
        )
        assert exported.code == 0, exported.err
        with out.open(encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == figures.sessions
        assert sum(row["类型"] == "现场" for row in rows) == figures.onsite
        assert sum(int(row["参加人数"] or 0) for row in rows) == figures.attendees
        assert sum(int(row["提问数"]) for row in rows) == figures.questions
        assert sum(int(row["未作解答数"]) for row in rows) == figures.declined
        assert (
            len({row["统一社会信用代码"] for row in rows if row["统一社会信用代码"]})
            == figures.units_reached["all"]
        )

        paragraph = figures.report_paragraph
        head = f"{YEAR}年全年开展普法宣传{figures.sessions}次（其中现场{figures.onsite}次、线上{figures.online}次）"
        assert paragraph.startswith(head)
        parts = re.search(r"按领域分：(.*?)；", paragraph)
        assert parts is not None
        by_domain = [int(n) for n in re.findall(r"(\d+)次", parts.group(1))]
        assert sum(by_domain) == figures.sessions or (figures.sessions == 0 and parts.group(1) == "无")
        assert f"现场参加{figures.attendees}人次" in paragraph
        assert f"解答咨询{figures.answered}条，另有{figures.declined}条" in paragraph
        assert not re.search(r"[a-z]{3,}", paragraph)  # no code reaches the reader


def _fill(
    records: Records,
    units: list[set[str]],
    onsite: list[tuple[int, date, int, int, set[str], bool]],
    online: list[tuple[int, int, set[str], bool]],
) -> None:
    for index, unit_domains in enumerate(units):
        records.units.enrol(
            f"tg:{index}", f"用户{index}", UnitInput(f"单位{index}", credit_code(index), tuple(unit_domains))
        )
    stored: set[tuple[int, date, int]] = set()
    for which, day, hour, attendees, domains, deleted in onsite:
        key = (which % len(units), day, hour)
        if key in stored:
            continue  # the same session twice is refused (tested elsewhere)
        stored.add(key)
        entry = SessionInput(
            unit=credit_code(key[0]), day=day, attendees=attendees, start=time(hour), domains=tuple(domains)
        )
        session = records.sessions.add(entry, "cli:测试")
        if deleted:
            records.sessions.delete(session.id, "cli:测试", "误登记")
    start = datetime(YEAR, 1, 1, tzinfo=REPORT_TZ).astimezone(UTC)
    for who, hour, domains, declined in online:
        asked = start + timedelta(hours=hour)
        cited = (("lab-animal-regulation", 18),)
        records.turns.record(
            make_turn(f"tg:{who}", asked, domains=tuple(domains), declined=declined, citations=cited)
        )


def _check_sums(figures: dict[str, object]) -> None:
    sessions = figures["sessions"]
    assert isinstance(sessions, dict)
    total, online, onsite = sessions["total"], sessions["online"], sessions["onsite"]
    assert total == online + onsite
    by_domain = figures["by_domain"]
    by_month = figures["by_month"]
    by_month_domain = figures["by_month_domain"]
    assert isinstance(by_domain, dict) and isinstance(by_month, dict) and isinstance(by_month_domain, dict)
    assert sum(c["online"] for c in by_domain.values()) == online
    assert sum(c["onsite"] for c in by_domain.values()) == onsite
    assert sum(c["online"] + c["onsite"] for c in by_month.values()) == total
    assert sum(sum(c.values()) for c in by_month_domain.values()) == total
    for domain, counts in by_domain.items():
        assert sum(month[domain] for month in by_month_domain.values()) == counts["online"] + counts["onsite"]
    units = figures["units"]
    assert isinstance(units, dict)
    reached, registered = units["reached"], units["registered"]
    assert reached["all"] <= registered["all"]
    assert all(reached.get(d, 0) <= registered.get(d, 0) for d in registered)
    questions = figures["questions"]
    assert isinstance(questions, dict)
    assert questions["total"] == questions["answered"] + questions["declined"]
