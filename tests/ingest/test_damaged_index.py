"""`pufa ingest` on a damaged index: refused with the fix named, and ``--force`` discards and rebuilds it."""

from __future__ import annotations

import shutil
from pathlib import Path

from knowledge.assistant import Assistant
from knowledge.index.snapshot import read_snapshot
from tests.support.corpus import CachedEmbedder, ingest, run_cli, settings_for, small_corpus


def test_force_rebuilds_a_damaged_index(tmp_path: Path, corpus_dir: Path, embedder: CachedEmbedder) -> None:
    corpus, seed = small_corpus(tmp_path / "corpus", corpus_dir), tmp_path / "seed"
    ingest(corpus, seed, embedder)
    data_dir = tmp_path / "data"
    shutil.copytree(seed, data_dir)  # a copy this process never opened: the CLI owns it alone
    (segment,) = {name.split("/")[0] for name in read_snapshot(data_dir).integrity.files if "/" in name}
    (data_dir / "index" / "chroma" / segment / "data_level0.bin").write_bytes(b"")

    refused = run_cli(["ingest", str(corpus), "--quiet"], data_dir, tmp_path)
    assert refused.returncode == 2 and "pufa ingest --force" in refused.stderr
    assert "Traceback" not in refused.stderr and refused.stderr.count("\n") == 1

    rebuilt = run_cli(["ingest", str(corpus), "--quiet", "--force"], data_dir, tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "新嵌入 0" not in rebuilt.stdout  # the discarded vectors were embedded again
    assistant = Assistant.open(settings_for(data_dir), embedder=embedder)
    assert assistant.search("使用实验动物的单位要不要备案", k=1)[0].ref.doc_id.startswith("local-")
