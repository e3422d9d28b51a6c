"""The index snapshot: catalog, article texts and the ids of the vectors that make up one index build.

Ingest writes it with an atomic rename after the vectors are stored; readers trust only the vector
records it lists, so a failed ingest leaves the previous snapshot — and answers — unchanged.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from knowledge.errors import IndexNotReady
from knowledge.law.catalog import Catalog, decode_fields
from knowledge.models import Article, ArticleRef, Case, Document, MissingDocument, Paragraph

SNAPSHOT_NAME = "snapshot.json"
FORMAT = 1
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

    def by_ref(self) -> dict[ArticleRef, Article]:
        return {article.ref: article for article in self.articles}


def index_dir(data_dir: Path) -> Path:
    return data_dir / "index"


def write_snapshot(snapshot: Snapshot, data_dir: Path) -> None:
    """Write atomically: a temporary file, fsync, then rename over the old snapshot."""
    folder = index_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "embedder": snapshot.embedder,
        "collection": snapshot.collection,
        "documents": [asdict(doc) for doc in snapshot.catalog.documents],
        "missing": [asdict(doc) for doc in snapshot.catalog.missing],
        "articles": [asdict(article) for article in snapshot.articles],
        "records": [asdict(record) for record in snapshot.records],
        "cases": [case.as_dict() for case in snapshot.cases],
    }
    tmp = folder / f".{SNAPSHOT_NAME}.{os.getpid()}.tmp"
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False, default=_encode_date)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / SNAPSHOT_NAME)


def read_snapshot(data_dir: Path) -> Snapshot:
    """Load the current snapshot; IndexNotReady when none was built."""
    path = index_dir(data_dir) / SNAPSHOT_NAME
    if not path.is_file():
        raise IndexNotReady(f"知识库索引尚未建立（{path} 不存在），请先运行：pufa ingest")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise IndexNotReady("知识库索引格式已过期，请重新运行：pufa ingest")
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
    return Snapshot(data["embedder"], data["collection"], catalog, articles, records, cases)


def _encode_date(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value)}")
