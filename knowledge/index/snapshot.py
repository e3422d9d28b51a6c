"""The index snapshot: catalog, article texts and the ids of the vectors that make up one index build.

Ingest writes it with an atomic rename after the vectors are stored; readers trust only the vector
records it lists, so a failed ingest leaves the previous snapshot — and answers — unchanged. Its first line
is a header with the SHA-256 of the body (the JSON on the second line): a truncated or altered snapshot is
``IndexDamaged``, never a traceback and never half an index.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from knowledge.errors import IndexNotReady
from knowledge.index.integrity import Integrity, Probe, damaged
from knowledge.law.catalog import Catalog, decode_fields
from knowledge.models import Article, ArticleRef, Case, Document, MissingDocument, Paragraph

SNAPSHOT_NAME = "snapshot.json"
FORMAT = 2
EXPANSION_PART = 1000  # parts from here on are curated everyday phrasings, not article text
FAQ_PREFIX = "__faq__:"  # doc_id of a curated FAQ question's vector: prefix + FAQ id
SCOPE_DOC = "__scope__"  # doc_id of the out-of-scope examples' vectors
CASE_PREFIX = "__case__:"  # doc_id of a typical case's vectors: prefix + case id


@dataclass(frozen=True)
class VectorRecord:
    """One embedded text: an article, or one part of a long article (by 款)."""

    id: str
    doc_id: str
    article: int
    part: int


@dataclass(frozen=True)
class Snapshot:
    """Everything an index build knows, except the vectors (those live in Chroma)."""

    embedder: str
    collection: str
    catalog: Catalog
    articles: tuple[Article, ...]
    records: tuple[VectorRecord, ...]
    cases: tuple[Case, ...] = ()
    integrity: Integrity = Integrity()

    def by_ref(self) -> dict[ArticleRef, Article]:
        return {article.ref: article for article in self.articles}


def index_dir(data_dir: Path) -> Path:
    return data_dir / "index"


def write_snapshot(snapshot: Snapshot, data_dir: Path) -> None:
    """Write atomically: a temporary file, fsync, then rename over the old snapshot."""
    folder = index_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    payload = {
        "embedder": snapshot.embedder,
        "collection": snapshot.collection,
        "documents": [asdict(doc) for doc in snapshot.catalog.documents],
        "missing": [asdict(doc) for doc in snapshot.catalog.missing],
        "articles": [asdict(article) for article in snapshot.articles],
        "records": [asdict(record) for record in snapshot.records],
        "cases": [case.as_dict() for case in snapshot.cases],
        "integrity": asdict(snapshot.integrity),
    }
    body = json.dumps(payload, ensure_ascii=False, default=_encode_date).encode()
    header = json.dumps({"format": FORMAT, "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)})
    tmp = folder / f".{SNAPSHOT_NAME}.{os.getpid()}.tmp"
    with tmp.open("wb") as handle:
        handle.write(header.encode() + b"\n" + body)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / SNAPSHOT_NAME)


def read_snapshot(data_dir: Path) -> Snapshot:
    """Load the current snapshot; IndexNotReady when none was built, IndexDamaged when it is not whole."""
    path = index_dir(data_dir) / SNAPSHOT_NAME
    if not path.is_file():
        raise IndexNotReady(f"知识库索引尚未建立（{path} 不存在），请先运行：pufa ingest")
    data = _verified_body(path)
    catalog = Catalog(
        tuple(Document(**decode_fields(doc)) for doc in data["documents"]),
        tuple(MissingDocument(**decode_fields(doc)) for doc in data["missing"]),
    )
    articles = tuple(
        Article(
            **{
                **raw,
                "paragraphs": tuple(Paragraph(p["text"], tuple(p["items"])) for p in raw["paragraphs"]),
            }
        )
        for raw in data["articles"]
    )
    records = tuple(VectorRecord(**raw) for raw in data["records"])
    cases = tuple(Case.from_dict(raw) for raw in data.get("cases", ()))
    raw = data["integrity"]
    integrity = Integrity(
        dict(raw["counts"]),
        tuple(raw["files"]),
        tuple(Probe(p["record_id"], p["doc_id"], tuple(p["vector"])) for p in raw["probes"]),
    )
    return Snapshot(data["embedder"], data["collection"], catalog, articles, records, cases, integrity)


def _verified_body(path: Path) -> dict[str, Any]:
    """The snapshot's body, after its header's format and checksum; IndexDamaged for a torn file."""
    data = path.read_bytes()
    head, _, body = data.partition(b"\n")
    try:
        header = json.loads(head)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise damaged(f"{path} 的文件头不完整") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:  # format 1 was one JSON line
        raise IndexNotReady("知识库索引格式已过期，请重新运行：pufa ingest")
    if len(body) != header.get("bytes") or hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise damaged(f"{path} 的内容与校验和不符（{len(body)} 字节，应为 {header.get('bytes')} 字节）")
    return dict(json.loads(body))


def _encode_date(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value)}")
