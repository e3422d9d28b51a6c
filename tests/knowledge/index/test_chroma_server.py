"""Ingest into and search through a real Chroma server (``chroma run`` on an ephemeral 127.0.0.1 port)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pipeline import run_ingest
from knowledge.assistant import Assistant
from knowledge.index.embedders import Embedder
from knowledge.index.snapshot import index_dir, read_snapshot
from knowledge.index.store import ChromaLocation
from knowledge.models import ArticleRef
from tests.support.corpus import (
    BUREAU_FILE,
    BUREAU_ID,
    LAB_ID,
    CachedEmbedder,
    collection_ids,
    settings_for,
    small_corpus,
)

CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_heartbeat(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"chroma run exited with {server.returncode}: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(
        f"chroma server on port {port} did not answer its heartbeat: {log.read_text(errors='replace')}"
    )


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaLocation]:
    if not CHROMA.is_file():
        pytest.skip(f"the chroma command-line tool is not installed next to {sys.executable}")
    folder = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(folder / "db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_heartbeat(port, server, log)
        yield ChromaLocation(host="127.0.0.1", port=port)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_ingest_and_search_through_a_chroma_server(
    chroma_server: ChromaLocation, tmp_path: Path, corpus_dir: Path, e5: Embedder
) -> None:
    corpus, data_dir = small_corpus(tmp_path / "corpus", corpus_dir), tmp_path / "data"
    embedder = CachedEmbedder(e5)
    summary, _ = run_ingest(corpus, data_dir, embedder, chroma_server, show_progress=False)
    snapshot = read_snapshot(data_dir)
    assert (summary.documents, summary.articles, summary.skipped) == (2, 37, 0)
    assert collection_ids(data_dir, embedder, chroma_server) == {r.id for r in snapshot.records}
    assert not (index_dir(data_dir) / "chroma").exists()  # the vectors live on the server only

    settings = settings_for(data_dir, chroma_host=chroma_server.host, chroma_port=chroma_server.port)
    assistant = Assistant.open(settings, embedder=embedder)
    hits = assistant.search("实验动物的饲育室和实验室要分开吗", k=5, method="dense")
    assert ArticleRef(LAB_ID, 9) in [h.ref for h in hits]
    assert assistant.search("使用实验动物的单位向谁备案", k=3)[0].ref == ArticleRef(BUREAU_ID, 2)

    (corpus / BUREAU_FILE).unlink()
    again, _ = run_ingest(corpus, data_dir, embedder, chroma_server, show_progress=False)
    assert (again.embedded, again.removed) == (0, 4)
    remaining = collection_ids(data_dir, embedder, chroma_server)
    assert remaining == {r.id for r in read_snapshot(data_dir).records}
    assert not any(i.startswith(BUREAU_ID) for i in remaining)
