"""Small corpora for ingest tests: 实验动物管理条例 under a test id plus a bureau text, indexed with the real
e5 model into a real embedded Chroma (``CachedEmbedder`` embeds each text once per session)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from bot.settings import Settings
from ingest.pipeline import IngestSummary, run_ingest
from knowledge.assistant import Assistant
from knowledge.index.embedders import Embedder
from knowledge.index.snapshot import SNAPSHOT_NAME, index_dir
from knowledge.index.store import ChromaLocation, VectorStore, collection_name

LAB_FILE = "实验动物管理条例(2017-03-01).md"
LAB_ID = "lab-animals"  # not the corpus id, so the real corpus' curated phrasings are not embedded
MANIFEST = f"""
[[document]]
id = "{LAB_ID}"
file = "{LAB_FILE}"
title = "实验动物管理条例"
aliases = ["实验动物条例"]
level = "行政法规"
issuer = "国家科学技术委员会（经国务院批准）"
effective = 1988-11-14
version_date = 2017-03-01
status = "current"
domains = ["lab_animals"]
"""
BUREAU_FILE = "某市实验动物使用管理办法.txt"
BUREAU_ID = "local-某市实验动物使用管理办法"
BUREAU_TEXT = """某市实验动物使用管理办法

第一章 总则

第一条 为了规范本市实验动物的使用，根据《实验动物管理条例》，制定本办法。

第二条 本市行政区域内使用实验动物的单位，应当向市科学技术局备案。

第二章 监督检查

第三条 市科学技术局每年对实验动物使用单位开展一次监督检查。

第四条 本办法自发布之日起施行。
"""
SUMMARY_RE = re.compile(
    r"完成：文档 (\d+) 部，条文 (\d+) 条，新嵌入 (\d+)，未变跳过 (\d+)，移除 (\d+)，用时 ([\d.]+) 秒(?:；典型案例 \d+ 件)?"
)


class CachedEmbedder:
    """The real embedding model, remembering passage vectors so repeated small ingests stay quick."""

    _vectors: ClassVar[dict[tuple[str, str], np.ndarray]] = {}

    def __init__(self, model: Embedder) -> None:
        self.model = model
        self.name = model.name
        self.max_tokens = model.max_tokens

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if (self.name, t) not in self._vectors]
        if missing:
            vectors = self.model.embed_passages(missing)
            self._vectors.update({(self.name, t): v for t, v in zip(missing, vectors, strict=True)})
        return np.stack([self._vectors[(self.name, t)] for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self.model.embed_query(text)

    def token_count(self, text: str) -> int:
        return self.model.token_count(text)

    def close(self) -> None:
        """Nothing to release: the wrapped model belongs to the test session."""


class FailingEmbedder(CachedEmbedder):
    """The real model until ``fail_after`` texts were embedded, then the service "goes away"."""

    def __init__(self, model: Embedder, fail_after: int) -> None:
        super().__init__(model)
        self.left = fail_after

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        vectors = []
        for text in texts:
            if self.left == 0:
                raise ConnectionError("embedding service went away")
            self.left -= 1
            vectors.append(super().embed_passages([text])[0])
        return np.stack(vectors)


def small_corpus(folder: Path, corpus_dir: Path, bureau: str | None = BUREAU_TEXT) -> Path:
    """实验动物管理条例 (manifest) and, unless ``bureau`` is None, a bureau .txt outside the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(corpus_dir / LAB_FILE, folder / LAB_FILE)
    (folder / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    if bureau is not None:
        (folder / BUREAU_FILE).write_text(bureau, encoding="utf-8")
    return folder


def ingest(corpus: Path, data_dir: Path, embedder: Embedder) -> IngestSummary:
    location = ChromaLocation.from_settings(data_dir)
    summary, _ = run_ingest(corpus, data_dir, embedder, location, show_progress=False)
    return summary


def settings_for(data_dir: Path, **changes: object) -> Settings:
    return Settings().with_changes(
        data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'pufa.sqlite3'}", **changes
    )


def collection_ids(data_dir: Path, embedder: Embedder, location: ChromaLocation | None = None) -> set[str]:
    where = location or ChromaLocation.from_settings(data_dir)
    return VectorStore(where, collection_name(embedder.name, data_dir), embedder.name).ids()


def snapshot_bytes(data_dir: Path) -> bytes:
    return (index_dir(data_dir) / SNAPSHOT_NAME).read_bytes()


def run_cli(
    args: list[str], data_dir: Path, cwd: Path, cases_dir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``pufa ARGS`` in a fresh process, with only the data dir configured (and the published cases of
    ``cases_dir``, none by default)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PUFA_", "CHROMA_", "EMBEDDING_"))}
    env["PUFA_DATA_DIR"] = str(data_dir)
    if cases_dir is None:
        cases_dir = data_dir / "no-published-cases"
        cases_dir.mkdir(parents=True, exist_ok=True)
    env["PUFA_CASES_DIR"] = str(cases_dir)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def answers(assistant: Assistant) -> list[object]:
    """What the index answers: hybrid searches, a dense search and two citations."""
    questions = ("实验动物饲育室和实验室应当如何设置", "使用实验动物的单位要不要备案", "实验动物的进口")
    searched = [[(h.ref, round(h.score, 9), h.title) for h in assistant.search(q)] for q in questions]
    dense = [(h.ref, round(h.dense, 6)) for h in assistant.search("监督检查", method="dense")]
    cited = [assistant.cite(r).quotes for r in ("实验动物条例第九条", "某市实验动物使用管理办法第三条")]
    return [searched, dense, cited]


@pytest.fixture
def embedder(e5: Embedder) -> CachedEmbedder:
    return CachedEmbedder(e5)
