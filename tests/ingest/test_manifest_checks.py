"""Manifest mistakes are errors naming file and line: misspelled keys, ids that would orphan curated data."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import run_ingest
from knowledge.errors import CorpusError
from knowledge.index.store import ChromaLocation
from tests.support.corpus import LAB_ID, CachedEmbedder, run_cli, small_corpus, snapshot_bytes

REPO = Path(__file__).resolve().parents[2]
CURATED_ID = "lab-animal-regulation"  # the id knowledge/data/*.toml use for 实验动物管理条例


def _line_of(path: Path, start: str) -> int:
    return next(
        n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(start)
    )


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ('title = "实验动物管理条例"', 'tittle = "实验动物管理条例"', ("tittle", "title")),
        ('level = "行政法规"', 'level = "行政法规"\nstatsu = "current"', ("statsu", "status")),
        ("[[document]]", "[[documnet]]", ("documnet", "document")),
    ],
)
def test_misspelled_manifest_keys_are_errors_with_line(
    tmp_path: Path, corpus_dir: Path, old: str, new: str, named: tuple[str, ...]
) -> None:
    corpus = small_corpus(tmp_path / "corpus", corpus_dir, bureau=None)
    manifest = corpus / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    result = run_cli(["ingest", "--quiet", str(corpus)], tmp_path / "data", REPO)
    assert result.returncode == 2
    line = _line_of(manifest, "[[documnet]]" if named[0] == "documnet" else named[0])
    assert f"{manifest}:{line}:" in result.stderr
    assert all(word in result.stderr for word in named)
    assert "Traceback" not in result.stderr


def test_renaming_an_id_that_curated_data_uses_needs_force(
    tmp_path: Path, corpus_dir: Path, embedder: CachedEmbedder
) -> None:
    corpus = small_corpus(tmp_path / "corpus", corpus_dir, bureau=None)
    manifest = corpus / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(LAB_ID, CURATED_ID), encoding="utf-8")
    data_dir = tmp_path / "data"
    location = ChromaLocation.from_settings(data_dir)
    run_ingest(corpus, data_dir, embedder, location, show_progress=False)
    before = snapshot_bytes(data_dir)

    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(CURATED_ID, "lab-animals-2017"), encoding="utf-8"
    )
    with pytest.raises(CorpusError) as error:
        run_ingest(corpus, data_dir, embedder, location, show_progress=False)
    message = str(error.value)
    assert f"{CURATED_ID} 改名为 lab-animals-2017" in message and "expansions.toml:" in message
    assert "--force" in message
    assert snapshot_bytes(data_dir) == before, "the index is untouched"

    _, warnings = run_ingest(corpus, data_dir, embedder, location, show_progress=False, force=True)
    assert any(CURATED_ID in warning for warning in warnings)
    assert snapshot_bytes(data_dir) != before
