"""Curated data (knowledge/data/*.toml) refers to document ids: an id that disappears from the manifest
while still referred to would silently drop those records, so an ingest refuses it unless forced."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from knowledge.errors import CorpusError
from knowledge.law.catalog import MANIFEST_NAME, Catalog
from knowledge.law.curated import DATA_DIR

_DOC_REF = re.compile(r"""\bdoc\s*=\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class Orphans:
    """Curated records whose document id the new catalog no longer has, by id."""

    places: dict[str, list[tuple[Path, int]]]  # doc id -> (file, line) of every record naming it

    def describe(self, previous: Catalog, current: Catalog, corpus_dir: Path) -> str:
        lines = []
        for doc_id, places in sorted(self.places.items()):
            file, line = places[0]
            old = previous.get(doc_id)
            renamed = next((d.id for d in current.documents if old and d.file == old.file), "")
            change = f"改名为 {renamed}" if renamed else "已从目录中删除"
            lines.append(
                f"{corpus_dir / MANIFEST_NAME}: 文档 id {doc_id} {change}，但 {file}:{line} 等 {len(places)} 条"
                f"整理数据仍引用它（curated records would be orphaned）"
            )
        return "；".join(lines) + "。请同时修改整理数据，或用 pufa ingest --force 确认丢弃。"


def curated_references(data_dir: Path = DATA_DIR) -> dict[str, list[tuple[Path, int]]]:
    """Every ``doc = "…"`` in the curated TOML files, with file and line."""
    found: dict[str, list[tuple[Path, int]]] = {}
    for path in sorted(data_dir.glob("*.toml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in _DOC_REF.finditer(line.split("#", 1)[0]):
                found.setdefault(match.group(1), []).append((path, number))
    return found


def check_orphans(previous: Catalog, current: Catalog, corpus_dir: Path, force: bool) -> list[str]:
    """Raise CorpusError when ids of the previous index that curated data names are gone; with
    ``force`` return the same explanation as a warning instead."""
    gone = {doc.id for doc in previous.documents} - {doc.id for doc in current.documents}
    referenced = curated_references()
    orphans = Orphans({doc_id: referenced[doc_id] for doc_id in gone if doc_id in referenced})
    if not orphans.places:
        return []
    message = orphans.describe(previous, current, corpus_dir)
    if not force:
        raise CorpusError(message)
    return [message]
