"""Is the index whole? What a build must hold, checked cheaply at every opening, and a known-answer self-check.

Ingest records in the snapshot how many vector records the collection must hold, which of Chroma's files it
wrote, and a few probe vectors. Chroma's files change legitimately between builds (a failed ingest adds vectors
the snapshot does not list, a finished one deletes stale ones), so they are checked for consistency — SQLite's
size against its header, each HNSW file against the HNSW header — not against fixed checksums; the snapshot's
own body carries a checksum (snapshot.py). The self-check asks Chroma for each probe's nearest neighbour, which
must be the probe itself. Any failure is ``IndexDamaged``: one line naming the fix, never an answer.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge.errors import IndexDamaged

if TYPE_CHECKING:
    from knowledge.index.store import VectorStore

SQLITE_FILE = "chroma.sqlite3"
HNSW_FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin")
_SQLITE_MAGIC = b"SQLite format 3\x00"
# The HNSW header (chroma's hnswlib, version 1): version, offsetLevel0, max_elements, cur_element_count,
# size_data_per_element, label_offset, offsetData, maxlevel, enterpoint_node, maxM, maxM0, M, mult, ef.
_HNSW_HEADER = struct.Struct("<IQQQQQQiIQQQdQ")
PROBES = 3  # known answers per build
PROBE_SIMILARITY = 0.999  # a stored vector is its own nearest neighbour at cosine ~1


@dataclass(frozen=True)
class Probe:
    """A stored vector whose nearest neighbour must be its own record."""

    record_id: str
    doc_id: str
    vector: tuple[float, ...]


@dataclass(frozen=True)
class Integrity:
    """What one index build must hold: records per collection, Chroma's files (relative to its folder), probes."""

    counts: dict[str, int] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    probes: tuple[Probe, ...] = ()


def damaged(what: str) -> IndexDamaged:
    return IndexDamaged(f"知识库索引已损坏（{what}），请运行 pufa ingest --force 重建索引")


def chroma_files(chroma_dir: Path, collection: str) -> tuple[str, ...]:
    """The files of ``collection`` that Chroma wrote under ``chroma_dir``: its SQLite file and the HNSW files of
    the collection's vector segment (``()`` for an unknown layout: then only the self-check applies)."""
    database = chroma_dir / SQLITE_FILE
    if not database.is_file():
        return ()
    segments = _vector_segments(database, collection)
    return (SQLITE_FILE,) + tuple(
        f"{segment}/{name}"
        for segment in segments
        for name in HNSW_FILES
        if (chroma_dir / segment / name).is_file()
    )


def check_files(chroma_dir: Path, files: Sequence[str]) -> None:
    """Every recorded file is there and consistent with its own header; IndexDamaged naming the first that
    is not. Reads a few hundred bytes per file."""
    for name in files:
        path = chroma_dir / name
        if not path.is_file():
            raise damaged(f"缺少文件 {path}")
        if name == SQLITE_FILE:
            _check_sqlite(path)
        elif name.endswith("/header.bin"):
            _check_hnsw(path.parent, files)


def self_check(store: VectorStore, integrity: Integrity, collection: str) -> None:
    """Count the collection's records and ask for each probe's nearest neighbour (also among its document's
    records, which goes through Chroma's metadata); IndexDamaged unless every probe finds itself."""
    try:
        held = store.count()
        expected = integrity.counts.get(collection, 0)
        if held < expected:
            raise damaged(f"向量库应有 {expected} 条记录，只有 {held} 条")
        for probe in integrity.probes:
            vector = np.asarray(probe.vector, dtype="float32")
            for among in (None, [probe.doc_id]):
                found = store.query(vector, 1, among)
                if not found or found[0][0] != probe.record_id or found[0][1] < PROBE_SIMILARITY:
                    raise damaged(f"自检失败：记录 {probe.record_id} 检索不到自身")
    except IndexDamaged:
        raise
    except Exception as exc:  # chromadb raises InternalError, sqlite and OS errors by kind of damage
        raise damaged(f"向量库读取失败：{_first_line(exc)}") from exc


def _vector_segments(database: Path, collection: str) -> list[str]:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            rows = connection.execute(
                "SELECT s.id FROM segments s JOIN collections c ON s.collection = c.id "
                "WHERE c.name = ? AND s.scope = 'VECTOR'",
                (collection,),
            ).fetchall()
    except sqlite3.Error:  # another layout of Chroma's tables
        return []
    return [str(row[0]) for row in rows]


def _check_sqlite(path: Path) -> None:
    """The SQLite header's page size × page count is the file's size (Chroma commits in rollback mode)."""
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise damaged(f"{path} 不是完整的 SQLite 文件")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    pages = struct.unpack(">I", header[28:32])[0]
    size_is_valid = header[24:28] == header[92:96]  # the header's page count is current
    if size_is_valid and path.stat().st_size != page_size * pages:
        raise damaged(f"{path} 大小 {path.stat().st_size} 字节，应为 {page_size * pages} 字节")


def _check_hnsw(folder: Path, files: Sequence[str]) -> None:
    """The HNSW files of one segment against their header and each other: data_level0.bin holds whole
    elements, at least the header's count and at most its capacity, and length.bin one length per element."""
    header = (folder / "header.bin").read_bytes()
    if len(header) != _HNSW_HEADER.size:
        raise damaged(f"{folder / 'header.bin'} 长度 {len(header)} 字节，应为 {_HNSW_HEADER.size} 字节")
    fields = _HNSW_HEADER.unpack(header)
    capacity, count, element_size, max_level = fields[2], fields[3], fields[4], fields[7]
    data, lengths, links = folder / "data_level0.bin", folder / "length.bin", folder / "link_lists.bin"
    stored, rest = divmod(data.stat().st_size, element_size) if element_size else (0, 1)
    if rest or not count <= stored <= max(capacity, count):
        raise damaged(
            f"{data} 大小 {data.stat().st_size} 字节，与 {count} 个元素（每个 {element_size} 字节）不符"
        )
    if f"{folder.name}/length.bin" in files and lengths.stat().st_size != stored * 4:
        raise damaged(f"{lengths} 大小 {lengths.stat().st_size} 字节，应为 {stored * 4} 字节")
    if f"{folder.name}/link_lists.bin" in files and max_level > 0 and links.stat().st_size == 0:
        raise damaged(f"{links} 为空")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
