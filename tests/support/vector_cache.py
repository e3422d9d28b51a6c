"""The real embedding model with its vectors remembered on disk between test runs.

Every vector still comes from the model the first time a text is seen; later runs (and other checkouts
pointing ``PUFA_TEST_VECTOR_CACHE`` at the same file) read it back instead of embedding the corpus again.
A fresh clone has no such file: the passages of the session index are read from the seed committed beside
this module (``SEED``, the model's own vectors keyed by hash, no text), written by
``python -m tests.support.vector_seed`` and checked against the model by tests/test_vector_seed.py.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import numpy as np

from knowledge.index.embedders import Embedder

SEED = Path(__file__).with_name("e5-passage-vectors.npz")


def read_seed(path: Path) -> dict[str, np.ndarray]:
    """The seed's vectors by cache key (nothing if the file is missing)."""
    if not path.is_file():
        return {}
    with np.load(path, allow_pickle=False) as data:
        return dict(zip((k.decode() for k in data["keys"]), data["vectors"], strict=True))


def write_seed(path: Path, vectors: dict[str, np.ndarray]) -> None:
    keys = sorted(vectors)
    np.savez_compressed(
        path,
        keys=np.array([k.encode() for k in keys]),
        vectors=np.stack([vectors[k] for k in keys]).astype(np.float32),
    )


class DiskCachedEmbedder:
    """Wraps ``model``; passage and query vectors are stored in SQLite keyed by model, kind and text, and
    passage vectors are also read from ``seed``."""

    def __init__(self, model: Embedder, path: Path, seed: Path | None = SEED) -> None:
        self.model = model
        self.name = model.name
        self.max_tokens = model.max_tokens
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._lock = threading.Lock()
        self._seed = read_seed(seed) if seed is not None else {}

    def key(self, kind: str, text: str) -> str:
        return hashlib.sha256(f"{self.name}\0{kind}\0{text}".encode()).hexdigest()

    def _lookup(self, keys: list[str]) -> dict[str, np.ndarray]:
        found = {key: self._seed[key] for key in keys if key in self._seed}
        rest = [key for key in keys if key not in found]
        with self._lock:
            for start in range(0, len(rest), 500):
                chunk = rest[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, blob in self._db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk
                ):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def _store(self, pairs: list[tuple[str, np.ndarray]]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR IGNORE INTO vectors VALUES (?, ?)",
                [(key, np.asarray(vector, dtype=np.float32).tobytes()) for key, vector in pairs],
            )

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        keys = [self.key("passage", text) for text in texts]
        found = self._lookup(keys)
        missing = [i for i, key in enumerate(keys) if key not in found]
        if missing:
            fresh = self.model.embed_passages([texts[i] for i in missing])
            self._store([(keys[i], vector) for i, vector in zip(missing, fresh, strict=True)])
            found.update(
                (keys[i], np.asarray(v, dtype=np.float32)) for i, v in zip(missing, fresh, strict=True)
            )
        if not texts:
            return self.model.embed_passages([])
        return np.stack([found[key] for key in keys])

    def embed_query(self, text: str) -> np.ndarray:
        key = self.key("query", text)
        cached = self._lookup([key]).get(key)
        if cached is not None:
            return cached
        vector = np.asarray(self.model.embed_query(text), dtype=np.float32)
        self._store([(key, vector)])
        return vector

    def token_count(self, text: str) -> int:
        return self.model.token_count(text)

    def close(self) -> None:
        self.model.close()
