"""A damaged index answers nothing: every surface refuses with one line naming ``pufa ingest --force``.

The probe's cases on a copy of the real session index: one HNSW file emptied, the vector segment's folder
deleted, chroma.sqlite3 / header.bin / snapshot.json cut in half; and a damage only the known-answer self-check
sees (the stored vectors overwritten with zeros, file sizes unchanged).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.settings import Settings
from knowledge.assistant import Assistant
from knowledge.errors import IndexDamaged
from knowledge.index.embedders import Embedder
from knowledge.index.snapshot import SNAPSHOT_NAME, index_dir, read_snapshot
from tests.support.cli import run_pufa

FIX = "pufa ingest --force"
QUESTION = "人类遗传资源出境需要审批吗"


def _chroma(data_dir: Path) -> Path:
    return data_dir / "index" / "chroma"


def _segment(data_dir: Path) -> Path:
    """The vector segment folder the snapshot lists (the HNSW files of its collection)."""
    files = read_snapshot(data_dir).integrity.files
    (folder,) = {name.split("/")[0] for name in files if "/" in name}
    return _chroma(data_dir) / folder


def _halve(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _zero(path: Path) -> None:
    path.write_bytes(bytes(path.stat().st_size))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "hnsw_emptied": lambda d: (_segment(d) / "data_level0.bin").write_bytes(b""),
    "links_emptied": lambda d: (_segment(d) / "link_lists.bin").write_bytes(b""),
    "segment_deleted": lambda d: shutil.rmtree(_segment(d)),
    "sqlite_halved": lambda d: _halve(_chroma(d) / "chroma.sqlite3"),
    "header_halved": lambda d: _halve(_segment(d) / "header.bin"),
    "snapshot_halved": lambda d: _halve(index_dir(d) / SNAPSHOT_NAME),
    "vectors_zeroed": lambda d: _zero(_segment(d) / "data_level0.bin"),
}


@pytest.fixture(params=sorted(DAMAGE))
def damage(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def damaged_settings(damage: str, settings: Settings, tmp_path: Path) -> Settings:
    """A copy of the session index with one kind of damage."""
    copy = tmp_path / "data"
    shutil.copytree(settings.data_dir, copy, ignore=shutil.ignore_patterns("*.sqlite3-*", "pufa.sqlite3"))
    DAMAGE[damage](copy)
    return settings.with_changes(data_dir=copy, database_url=f"sqlite:///{copy / 'pufa.sqlite3'}")


def test_the_session_index_passes_its_checks(settings: Settings, e5: Embedder) -> None:
    snapshot = read_snapshot(settings.data_dir)
    assert snapshot.integrity.counts == {snapshot.collection: len(snapshot.records)}
    assert "chroma.sqlite3" in snapshot.integrity.files and len(snapshot.integrity.probes) == 3
    assert Assistant.open(settings, embedder=e5).ask(QUESTION).citations


def test_the_assistant_refuses_a_damaged_index(damaged_settings: Settings, e5: Embedder) -> None:
    with pytest.raises(IndexDamaged, match=FIX):
        Assistant.open(damaged_settings, embedder=e5)


@pytest.mark.parametrize("argv", [["ask", QUESTION], ["search", QUESTION], ["chat"]])
def test_every_command_refuses_in_one_line(
    damaged_settings: Settings,
    argv: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outcome = run_pufa(argv, damaged_settings, monkeypatch, capsys)
    assert outcome.code == 2 and outcome.out == ""
    assert outcome.err.count("\n") == 1 and FIX in outcome.err and "Traceback" not in outcome.err


def test_cite_refuses_unless_only_the_vectors_are_damaged(
    damage: str,
    damaged_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``pufa cite`` quotes from the snapshot and checks Chroma's files without opening Chroma: vectors
    overwritten in place (file sizes unchanged) are left to the self-check of the commands that read them."""
    outcome = run_pufa(["cite", "人遗条例第二十二条"], damaged_settings, monkeypatch, capsys)
    if damage == "vectors_zeroed":
        assert outcome.code == 0 and "第二十二条" in outcome.out
    else:
        assert outcome.code == 2 and outcome.out == ""
        assert outcome.err.count("\n") == 1 and FIX in outcome.err


def test_serve_refuses_to_start(
    damaged_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:" + "A" * 35)
    outcome = run_pufa(["serve"], damaged_settings, monkeypatch, capsys)
    assert outcome.code == 2 and FIX in outcome.err and "Traceback" not in outcome.err
