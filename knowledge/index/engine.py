"""Reading an embedded Chroma index without importing the chromadb package.

``import chromadb`` takes one to four seconds on this machine (its API, auth, telemetry and validation layers),
most of a cold ``pufa ask``; the engine underneath — the Rust bindings that chromadb's ``RustBindingsAPI``
drives — loads in milliseconds. A process that only reads (answers) calls the engine directly, with the
arguments ``RustBindingsAPI`` passes and the settings ``chromadb.PersistentClient`` uses by default, so it
reads what chromadb would; writing (ingest) and a Chroma server stay with chromadb.
"""

from __future__ import annotations

import json
import resource
from pathlib import Path
from typing import Any

TENANT = "default_tenant"
DATABASE = "default_database"
SQLITE_FILE = "chroma.sqlite3"


class EngineCollection:
    """One collection, read through the engine: the part of chromadb's ``Collection`` that VectorStore uses
    when it only reads (``count``, ``get``, ``query``, ``metadata``)."""

    def __init__(self, path: Path, name: str) -> None:
        """Open the index in ``path`` and its collection ``name``; the engine's own errors propagate (a missing
        collection is chromadb's NotFoundError, as with chromadb)."""
        import chromadb_rust_bindings as engine

        config = engine.SqliteDBConfig(
            hash_type=engine.MigrationHash.MD5,  # chromadb's defaults: md5 migration hashes, applied on open
            migration_mode=engine.MigrationMode.Apply,
            url=str(path / SQLITE_FILE),
        )
        self._engine = engine.Bindings(
            allow_reset=False,
            sqlite_db_config=config,
            persist_path=str(path),
            # as chromadb sizes it: each HNSW index holds 4 data files and 1 metadata file open
            hnsw_cache_size=resource.getrlimit(resource.RLIMIT_NOFILE)[0] // 5,
        )
        collection = self._engine.get_collection(name, TENANT, DATABASE)
        self._id = str(collection.id)
        self.metadata: dict[str, Any] | None = collection.metadata

    def count(self) -> int:
        return int(self._engine.count(self._id, TENANT, DATABASE))

    def get(self, ids: list[str] | None = None, include: list[str] | None = None) -> dict[str, Any]:
        found = self._engine.get(self._id, ids, None, None, 0, None, include or [], TENANT, DATABASE)
        return {"ids": found.ids, "embeddings": found.embeddings}

    def query(
        self,
        query_embeddings: list[Any],
        n_results: int,
        where: dict[str, Any] | None = None,
        include: list[str] | None = None,
    ) -> dict[str, Any]:
        found = self._engine.query(
            self._id,
            None,
            query_embeddings,
            n_results,
            json.dumps(where) if where else None,
            None,
            include or [],
            TENANT,
            DATABASE,
        )
        return {"ids": found.ids, "distances": found.distances}

    def close(self) -> None:
        """Release the engine (its files may then be removed)."""
        del self._engine
