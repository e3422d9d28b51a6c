"""Outreach log benchmark: logging overhead per turn (p50/p95) and ``pufa stats`` over 100,000 turns.

Run: ``.venv/bin/python bench/bench_log.py`` (PostgreSQL too when PUFA_TEST_POSTGRES_URL is set).
Floors: p95 ≤ 5 ms per turn on SQLite; stats over 100k turns ≤ 2 s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cli.outreach import run_stats  # noqa: E402
from bot.records.db import make_engine  # noqa: E402
from bot.records.models import (  # noqa: E402
    SessionDomainRow,
    SessionRow,
    TurnCitationRow,
    TurnDomainRow,
    TurnRow,
    UnitDomainRow,
    UnitRow,
)
from bot.records.schema import upgrade  # noqa: E402
from bot.records.services import Records
from bot.records.turns.record import TurnRecord, new_turn_uid  # noqa: E402
from bot.records.units.register import UnitInput  # noqa: E402
from bot.records.units.uscc import check_digit  # noqa: E402
from bot.settings import Settings  # noqa: E402
from knowledge.law.domains import REGULATED as DOMAINS  # noqa: E402
from knowledge.models import ArticleRef  # noqa: E402

YEAR = 2024
LOG_TURNS = 2000
SYNTHETIC_TURNS = 100_000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench_logging(store: Records, rng: random.Random) -> list[float]:
    """Milliseconds per record_turn for LOG_TURNS turns of 100 people, ~3 turns per session."""
    for unit in range(20):
        body = f"91110108{unit:09d}"
        store.units.enrol(f"tg:{unit}", f"用户{unit}", UnitInput(f"单位{unit}", body + check_digit(body), (DOMAINS[unit % 2],)))
    start = datetime(YEAR, 1, 1, tzinfo=UTC)
    timings = []
    for index in range(LOG_TURNS):
        turn = TurnRecord(
            uid=new_turn_uid(),
            person_key=f"tg:{rng.randrange(100)}",
            display_name="用户",
            channel="telegram",
            question="实验动物使用许可证的申请条件是什么？",
            answer_mode="extractive",
            citations=(
                ArticleRef("lab-animal-regulations", rng.randrange(1, 40)),
                ArticleRef("lab-licence", 5),
            ),
            declined=rng.random() < 0.1,
            latency_ms=120.0,
            domains=(DOMAINS[index % 2],),
            asked_at=start + timedelta(minutes=index * 7),
        )
        began = time.perf_counter()
        store.turns.record(turn)
        timings.append((time.perf_counter() - began) * 1000)
    return timings


def fill_synthetic(store: Records, rng: random.Random) -> None:
    """Bulk-insert SYNTHETIC_TURNS turns (about 4 per session) spread over the year."""
    start = datetime(YEAR, 1, 1, tzinfo=UTC)
    with store.database.raw_writing() as db:
        units = []
        for unit in range(200):
            body = f"91310115{unit:09d}"
            units.append(
                {"id": 10_000 + unit, "name": f"合成单位{unit}", "credit_code": body + check_digit(body)}
            )
        db.execute(insert(UnitRow), [{**u, "created_at": start} for u in units])
        db.execute(
            insert(UnitDomainRow),
            [{"unit_id": u["id"], "domain": DOMAINS[i % 2]} for i, u in enumerate(units)],
        )
        sessions, session_domains, turns, citations, turn_domains = [], [], [], [], []
        turn_id = 1_000_000
        session_id = 1_000_000
        while len(turns) < SYNTHETIC_TURNS:
            session_id += 1
            began = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
            domain = DOMAINS[session_id % 2]
            kind = "onsite" if session_id % 50 == 0 else "online"
            sessions.append(
                {
                    "id": session_id,
                    "kind": kind,
                    "channel": "telegram",
                    "unit_id": 10_000 + rng.randrange(200),
                    "started_at": began,
                    "last_activity_at": began,
                    "ended_at": began + timedelta(minutes=20),
                    "inspection_no": "",
                    "attendees": 20 if kind == "onsite" else None,
                    "note": "",
                }
            )
            session_domains.append({"session_id": session_id, "domain": domain})
            for step in range(4):
                turn_id += 1
                turns.append(
                    {
                        "id": turn_id,
                        "uid": uuid.uuid4().hex[:16],
                        "session_id": session_id,
                        "channel": "telegram",
                        "asked_at": began + timedelta(minutes=step * 5),
                        "question": "合成问题",
                        "answer_mode": "extractive",
                        "declined": rng.random() < 0.1,
                        "latency_ms": 100.0,
                        "feedback": rng.choice((None, None, 1, -1)),
                    }
                )
                turn_domains.append({"turn_id": turn_id, "domain": domain})
                articles = {rng.randrange(1, 60) for _ in range(rng.randrange(0, 3))}
                citations += [{"turn_id": turn_id, "doc_id": "reg", "article": a} for a in articles]
        db.execute(insert(SessionRow), sessions)
        db.execute(insert(SessionDomainRow), session_domains)
        db.execute(insert(TurnRow), turns)
        db.execute(insert(TurnDomainRow), turn_domains)
        db.execute(insert(TurnCitationRow), citations)
    if store.database.engine.dialect.name == "postgresql":
        with store.database.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()


def bench_stats(store: Records, settings: Settings) -> tuple[float, float]:
    """Seconds for store.reports.stats(YEAR) and for the whole ``pufa stats --year`` command (in process)."""
    began = time.perf_counter()
    store.reports.stats(YEAR)
    direct = time.perf_counter() - began
    args = argparse.Namespace(year=YEAR, quarter=None, domain=None, json=False, chart=None)
    began = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_stats(args, settings) == 0
    command = time.perf_counter() - began
    return direct, command


def run(label: str, settings: Settings) -> dict[str, float]:
    rng = random.Random(7)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    engine.dispose()
    store = Records.open(settings)
    timings = bench_logging(store, rng)
    fill_synthetic(store, rng)
    direct, command = bench_stats(store, settings)
    store.close()
    figures = {
        "turn_p50_ms": statistics.median(timings),
        "turn_p95_ms": percentile(timings, 0.95),
        "turn_max_ms": max(timings),
        "stats_100k_s": direct,
        "stats_command_100k_s": command,
    }
    print(
        f"[{label}] logging overhead per turn ({LOG_TURNS} turns): "
        f"p50 {figures['turn_p50_ms']:.2f} ms, p95 {figures['turn_p95_ms']:.2f} ms, max {figures['turn_max_ms']:.1f} ms"
    )
    print(
        f"[{label}] stats over {SYNTHETIC_TURNS + LOG_TURNS:,} turns: store.reports.stats {direct:.3f} s, "
        f"`pufa stats --year {YEAR}` (in process) {command:.3f} s"
    )
    return figures


def main() -> int:
    failures = []
    with tempfile.TemporaryDirectory(prefix="pufa-bench-") as tmp:
        sqlite = run("sqlite", Settings(data_dir=Path(tmp) / "sqlite"))
        if sqlite["turn_p95_ms"] > 5:
            failures.append("SQLite p95 per turn above 5 ms")
        if sqlite["stats_command_100k_s"] > 2:
            failures.append("SQLite stats over 100k turns above 2 s")
        pg_url = os.environ.get("PUFA_TEST_POSTGRES_URL", "")
        if not pg_url:
            print("[postgres] skipped: PUFA_TEST_POSTGRES_URL is not set")
        else:
            schema = f"pufa_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                url = make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
                postgres = run(
                    "postgres", Settings(data_dir=Path(tmp) / "pg", database_url=url.render_as_string(False))
                )
                if postgres["stats_command_100k_s"] > 2:
                    failures.append("PostgreSQL stats over 100k turns above 2 s")
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    for failure in failures:
        print(f"FLOOR MISSED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
