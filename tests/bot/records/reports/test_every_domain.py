"""Reports survive any data: every corpus domain and document (and unknown ones), any year, and a
matplotlib font cache built before the CJK font was installed."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.records.services import Records
from bot.records.sessions.records import SessionInput
from bot.records.units.register import UnitInput
from bot.reports import chart
from bot.reports.chart import CJK_FAMILIES, FONT_FILES, build_chart
from bot.reports.titles import catalog_titles
from bot.settings import Settings
from knowledge.law import domains
from knowledge.law.catalog import Catalog, load_manifest
from tests.support.cli import run_pufa
from tests.support.outreach import BACKENDS, T0, backend_settings, credit_code, make_turn

REPO = Path(__file__).resolve().parents[4]
FUTURE = "space_biology"  # a domain a later corpus may add, without a title yet


@pytest.fixture(scope="module")
def catalog(corpus_dir: Path) -> Catalog:
    return load_manifest(corpus_dir)


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path, corpus_dir: Path) -> Iterator[Settings]:
    with backend_settings(request.param, tmp_path, corpus_dir=corpus_dir) as value:
        yield value


@pytest.fixture
def store(settings: Settings, catalog: Catalog) -> Iterator[Records]:
    """A year with a question citing every document, one per corpus domain, and a future domain."""
    opened = Records.open(settings)
    opened.units.add(UnitInput("康源实验动物技术有限公司", credit_code(1), ("实验动物",)))
    opened.units.add(UnitInput("华基因组科技有限公司", credit_code(2), ("人类遗传资源",)))
    opened.units.enrol("tg:1", "张三", UnitInput("康源实验动物技术有限公司", credit_code(1), ()))
    corpus_domains = sorted({d for doc in catalog.documents for d in doc.domains})
    for index, doc in enumerate(catalog.documents):
        opened.turns.record(
            make_turn(
                f"tg:{100 + index}",
                T0 + timedelta(days=index * 20),
                citations=((doc.id, 1), (doc.id, 2)),
                domains=doc.domains,
            )
        )
    for index, domain in enumerate([*corpus_domains, FUTURE]):
        opened.turns.record(
            make_turn(
                f"tg:{200 + index}",
                T0 + timedelta(days=index * 30),
                domains=(domain,),
                citations=(("lab-animal-regulation", 13),),
            )
        )
    opened.sessions.add(
        SessionInput("康源", T0.date(), 25, domains=("实验动物", "生物安全"), topic="许可"), "cli:test"
    )
    yield opened
    opened.close()


def test_every_corpus_domain_has_a_title(catalog: Catalog) -> None:
    for domain in {d for doc in catalog.documents for d in doc.domains} | {
        d for m in catalog.missing for d in m.domains
    }:
        assert domains.parse(domains.label(domain)) == domain, domain
    assert domains.label(FUTURE) == f"未知领域（{FUTURE}）"


def test_stats_chart_csv_and_xlsx_for_every_domain(
    store: Records, settings: Settings, catalog: Catalog, tmp_path: Path, monkeypatch, capsys
) -> None:
    year = T0.year
    titles = catalog_titles(catalog)
    figures = store.reports.stats(year, titles=titles)
    reported = set(figures.by_domain)
    assert {d for doc in catalog.documents for d in doc.domains} | {FUTURE} <= reported
    labels = figures.to_dict()["domain_labels"]
    assert labels["biosafety"] == "生物安全" and labels[FUTURE] == f"未知领域（{FUTURE}）"
    assert all(a.label.startswith("《") for a in figures.top_articles)
    paragraph = figures.report_paragraph
    assert "生物安全" in paragraph and "《" in paragraph and "-" not in paragraph.split("引用最多的条文为")[1]

    done = run_pufa(
        ["stats", "--year", str(year), "--json", "--chart", str(tmp_path / "c.png")],
        settings,
        monkeypatch,
        capsys,
    )
    assert done.code == 0, done.err
    printed = json.loads(done.out)
    assert printed["sessions"]["onsite"] == 1 and printed["top_articles"][0]["label"].startswith("《")
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would fail here
        build_chart(figures).canvas.draw()

    assert (
        run_pufa(
            ["export", "--year", str(year), "--format", "csv", "--out", str(tmp_path / "e.csv")],
            settings,
            monkeypatch,
            capsys,
        ).code
        == 0
    )
    rows = list(csv.reader((tmp_path / "e.csv").read_text(encoding="utf-8-sig").splitlines()))
    cited = " ".join(row[11] for row in rows[1:])
    assert all(f"《{doc.title}》" in cited for doc in catalog.documents)
    assert not any(doc.id in cited for doc in catalog.documents)
    assert f"未知领域（{FUTURE}）" in " ".join(row[12] for row in rows[1:])

    assert (
        run_pufa(
            ["export", "--year", str(year), "--format", "xlsx", "--out", str(tmp_path / "e.xlsx")],
            settings,
            monkeypatch,
            capsys,
        ).code
        == 0
    )
    values = list(load_workbook(tmp_path / "e.xlsx").active.iter_rows(values_only=True))
    assert len(values) == len(rows)


def test_an_empty_year_reports_zeros(
    store: Records, settings: Settings, tmp_path: Path, monkeypatch, capsys
) -> None:
    empty = str(T0.year - 5)
    done = run_pufa(
        ["stats", "--year", empty, "--chart", str(tmp_path / "empty.png")], settings, monkeypatch, capsys
    )
    assert done.code == 0 and "开展普法宣传0次" in done.out and (tmp_path / "empty.png").exists()
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"empty.{fmt}"
        assert (
            run_pufa(
                ["export", "--year", empty, "--format", fmt, "--out", str(out)], settings, monkeypatch, capsys
            ).code
            == 0
        )
    assert len(list(load_workbook(tmp_path / "empty.xlsx").active.iter_rows())) == 1
    for domain in domains.known():
        assert (
            run_pufa(
                ["stats", "--year", empty, "--domain", domain, "--json"], settings, monkeypatch, capsys
            ).code
            == 0
        )


def stale_cache(config_dir: Path) -> None:
    """A matplotlib font cache as built before the CJK font was installed (its entries removed)."""
    env = {**os.environ, "MPLCONFIGDIR": str(config_dir)}
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=True, timeout=300)
    (cache,) = config_dir.glob("fontlist-*.json")
    data = json.loads(cache.read_text())
    data["ttflist"] = [
        entry
        for entry in data["ttflist"]
        if entry["name"] not in CJK_FAMILIES
        and not any(entry["fname"].endswith(Path(f).name) for f in FONT_FILES)
    ]
    cache.write_text(json.dumps(data))


PROBE = """
import sys, warnings
from matplotlib.font_manager import FontProperties, findfont
from bot.records.errors import RecordsError
from bot.reports import chart
try:
    findfont(FontProperties(family="WenQuanYi Micro Hei"), fallback_to_default=False)
    print("cache-knows-font")
except ValueError:
    print("cache-stale")
if sys.argv[1] == "missing":
    chart.FONT_FILES = ()
try:
    print("family:" + chart.cjk_font().get_family()[0])
except RecordsError as error:
    print("error:" + str(error))
"""


@pytest.mark.skipif(not any(Path(f).is_file() for f in FONT_FILES), reason="no CJK font file installed")
def test_chart_finds_the_font_with_a_stale_matplotlib_cache(
    tmp_path: Path, settings: Settings, store: Records
) -> None:
    stale_cache(tmp_path / "mpl")
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl"), "PYTHONPATH": str(REPO)}
    found = subprocess.run(
        [sys.executable, "-c", PROBE, "present"], env=env, capture_output=True, text=True, timeout=300
    )
    assert found.stdout.splitlines()[0] == "cache-stale", found.stderr
    assert found.stdout.splitlines()[1].startswith("family:"), found.stdout + found.stderr
    assert found.stdout.splitlines()[1].removeprefix("family:") in (*CJK_FAMILIES, "WenQuanYi Micro Hei")

    chart_run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli.main",
            "stats",
            "--year",
            str(T0.year),
            "--chart",
            str(tmp_path / "c.png"),
        ],
        env={
            **env,
            "PUFA_DATA_DIR": str(settings.data_dir),
            "DATABASE_URL": settings.effective_database_url,
            "PUFA_CORPUS_DIR": str(settings.corpus_dir),
        },
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert chart_run.returncode == 0, chart_run.stderr
    assert "Glyph" not in chart_run.stderr and "请安装" not in chart_run.stderr
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"

    no_fc = {**env, "PATH": str(tmp_path / "no-bin")}  # no fc-match either: the font is truly missing
    missing = subprocess.run(
        [sys.executable, "-c", PROBE, "missing"], env=no_fc, capture_output=True, text=True, timeout=300
    )
    assert missing.stdout.splitlines()[1] == "error:" + chart.text("errors.chart_font_missing"), (
        missing.stdout + missing.stderr
    )
    assert "fonts-wqy-microhei" in missing.stdout
