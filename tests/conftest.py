"""Session fixtures: the real corpus indexed once into a real Chroma, and the assistant over it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from ingest.pipeline import run_ingest
from knowledge.assistant import Assistant
from knowledge.index.embedders import Embedder, make_embedder
from knowledge.index.store import ChromaLocation
from tests.support.shared import built_once
from tests.support.vector_cache import DiskCachedEmbedder

REPO = Path(__file__).resolve().parents[1]
pytest_plugins = [
    "tests.support.corpus",
    "tests.support.records_fixtures",
    "tests.support.telegram_fixtures",
    "tests.support.web",
]


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    path = Path(os.environ.get("PUFA_CORPUS_DIR") or REPO.parent / "shared" / "regulations")
    if not (path / "manifest.toml").is_file():
        pytest.fail(f"corpus not found at {path}: set PUFA_CORPUS_DIR")
    return path.resolve()


@pytest.fixture(scope="session")
def cases_dir(corpus_dir: Path) -> Path:
    """The published cases (``PUFA_CASES_DIR``, else ``cases`` beside the regulations)."""
    path = Path(os.environ.get("PUFA_CASES_DIR") or corpus_dir.parent / "cases")
    if not (path / "cases.toml").is_file():
        pytest.fail(f"cases not found at {path}: set PUFA_CASES_DIR")
    return path.resolve()


@pytest.fixture(scope="session")
def e5() -> Embedder:
    """The real e5 model; its vectors are kept between runs (``PUFA_TEST_VECTOR_CACHE`` to move the file)."""
    cache = os.environ.get("PUFA_TEST_VECTOR_CACHE") or REPO / ".pytest_cache" / "pufa-vectors.sqlite3"
    return DiskCachedEmbedder(make_embedder("e5"), Path(cache))


@pytest.fixture(scope="session")
def index_dir(
    tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, cases_dir: Path, e5: Embedder
) -> Path:
    """A data dir holding the whole corpus and the published cases indexed once per test run.

    Under pytest-xdist the first worker builds it and the others wait for it (tests/support/shared.py);
    each worker then works on its own copy, so its database and files stay its own."""

    def build(data_dir: Path) -> None:
        location = ChromaLocation.from_settings(data_dir)
        run_ingest(corpus_dir, data_dir, e5, location, show_progress=False, case_dirs=[cases_dir])

    return built_once(tmp_path_factory, "pufa-index", build)


@pytest.fixture(scope="session")
def settings(index_dir: Path, corpus_dir: Path, cases_dir: Path) -> Settings:
    """Defaults, pointed at the session index; no LLM, no Telegram token, SQLite in the data dir."""
    return Settings().with_changes(
        data_dir=index_dir,
        corpus_dir=corpus_dir,
        cases_dir=cases_dir,
        database_url=f"sqlite:///{index_dir / 'pufa.sqlite3'}",
    )


@pytest.fixture(scope="session")
def assistant(settings: Settings, e5: Embedder) -> Iterator[Assistant]:
    yield Assistant.open(settings, embedder=e5)
