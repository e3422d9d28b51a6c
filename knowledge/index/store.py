"""The Chroma vector store: embedded PersistentClient by default, HttpClient when CHROMA_HOST is set."""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.errors import IndexNotReady
from knowledge.index.engine import SQLITE_FILE, EngineCollection
from knowledge.index.integrity import damaged

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@dataclass(frozen=True)
class ChromaLocation:
    """Where the vectors live: a directory (embedded) or a server."""

    path: Path | None = None
    host: str = ""
    port: int = 8000

    @classmethod
    def from_settings(cls, data_dir: Path, host: str = "", port: int = 8000) -> ChromaLocation:
        return cls(host=host, port=port) if host else cls(path=data_dir / "index" / "chroma")


def collection_name(embedder_name: str, data_dir: Path) -> str:
    """One collection per embedder and installation: switching models never mixes vector spaces, and two
    installations sharing a Chroma server never take each other's vectors for stale ones. The
    installation id lives in the data dir, so a copied or moved data dir keeps its collection."""
    id_file = data_dir / "index" / "installation-id"
    if not id_file.is_file():
        id_file.parent.mkdir(parents=True, exist_ok=True)
        id_file.write_text(uuid.uuid4().hex, encoding="utf-8")
    key = f"{embedder_name}\n{id_file.read_text(encoding='utf-8').strip()}"
    return "pufa-articles-" + hashlib.sha1(key.encode()).hexdigest()[:12]


class VectorStore:
    """One Chroma collection in cosine space; the embedder that built it is in its metadata."""

    def __init__(self, location: ChromaLocation, name: str, embedder: str, create: bool = False) -> None:
        """``create``: the collection (if missing), for writing; else an existing one, read — of an embedded
        index through Chroma's engine alone (engine.py: no ``import chromadb``, which costs seconds)."""
        self._client: Any  # chromadb's client, or the engine's collection (which closes itself)
        self._collection: Any  # chromadb's Collection, or EngineCollection (the reading part of it)
        if not create and location.path is not None:
            self._open_engine(location.path, name)
        else:
            self._open_client(location, name, embedder, create)
        built_by = (self._collection.metadata or {}).get("embedder")
        if built_by != embedder:
            raise IndexNotReady(
                f"向量库由嵌入模型 {built_by} 构建，当前配置为 {embedder}，请重新运行：pufa ingest"
            )

    def _open_engine(self, path: Path, name: str) -> None:
        if not (path / SQLITE_FILE).is_file():
            raise IndexNotReady(f"向量库中找不到集合 {name}，请重新运行：pufa ingest")
        try:
            self._client = self._collection = EngineCollection(path, name)
        except Exception as exc:  # the engine raises chromadb's errors (importing chromadb only then)
            from chromadb.errors import NotFoundError

            if isinstance(exc, (NotFoundError, ValueError)):
                raise IndexNotReady(f"向量库中找不到集合 {name}，请重新运行：pufa ingest") from exc
            raise damaged(f"无法打开向量库 {path}：{str(exc).strip()[:200]}") from exc

    def _open_client(self, location: ChromaLocation, name: str, embedder: str, create: bool) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from chromadb.errors import NotFoundError

        settings = ChromaSettings(anonymized_telemetry=False)
        if location.host:
            self._client = chromadb.HttpClient(host=location.host, port=location.port, settings=settings)
        else:
            assert location.path is not None
            location.path.mkdir(parents=True, exist_ok=True)
            try:
                self._client = chromadb.PersistentClient(path=str(location.path), settings=settings)
            except Exception as exc:  # a damaged chroma.sqlite3: chromadb's InternalError, sqlite errors
                raise damaged(f"无法打开向量库 {location.path}：{str(exc).strip()[:200]}") from exc
        if create:
            self._collection = self._client.get_or_create_collection(
                name,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedder": embedder},
                embedding_function=None,
            )
        else:
            try:
                self._collection = self._client.get_collection(name, embedding_function=None)
            except (NotFoundError, ValueError) as exc:  # chromadb raises either by version
                raise IndexNotReady(f"向量库中找不到集合 {name}，请重新运行：pufa ingest") from exc
            except Exception as exc:  # the collection's records cannot be read
                raise damaged(f"无法读取集合 {name}：{str(exc).strip()[:200]}") from exc

    def close(self) -> None:
        """Release the client (its files may then be removed)."""
        self._client.close()  # chromadb: declared by Client, not by ClientAPI

    def count(self) -> int:
        return self._collection.count()

    def ids(self) -> set[str]:
        return set(self._collection.get(include=[])["ids"])

    def add(
        self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]], texts: list[str]
    ) -> None:
        for start in range(0, len(ids), 500):
            end = start + 500
            self._collection.upsert(
                ids=ids[start:end],
                embeddings=vectors[start:end],
                metadatas=metadatas[start:end],  # values are str/int
                documents=texts[start:end],
            )

    def drop_collection(self, name: str) -> None:
        """Remove another collection of this Chroma (one an earlier index build used), if it exists."""
        with contextlib.suppress(Exception):  # chromadb raises NotFoundError or ValueError by version
            self._client.delete_collection(name)

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), 500):
            self._collection.delete(ids=ids[start : start + 500])

    def vectors(self, ids: list[str]) -> np.ndarray:
        """The stored vectors of ``ids``, in that order (a row of zeros for an id not stored)."""
        if not ids:
            return np.zeros((0, 0), dtype="float32")
        result = self._collection.get(ids=ids, include=["embeddings"])
        embeddings = result["embeddings"]
        found = dict(zip(result["ids"], [] if embeddings is None else list(embeddings), strict=True))
        width = len(next(iter(found.values()))) if found else 0
        return np.array([found.get(i, np.zeros(width)) for i in ids], dtype="float32")

    def query(self, vector: np.ndarray, n: int, doc_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """Nearest records (among ``doc_ids`` if given): (record id, cosine similarity), best first."""
        result = self._collection.query(
            query_embeddings=[vector],
            n_results=n,
            where={"doc_id": {"$in": doc_ids}} if doc_ids else None,
            include=["distances"],
        )
        distances = result["distances"] or [[]]
        return [(rid, 1.0 - dist) for rid, dist in zip(result["ids"][0], distances[0], strict=True)]
