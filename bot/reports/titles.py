"""Document titles for article labels in reports: from the index snapshot, else the corpus manifest."""

from __future__ import annotations

from pathlib import Path

from knowledge.errors import PufaError
from knowledge.index.snapshot import read_snapshot
from knowledge.law.catalog import Catalog, load_manifest


def catalog_titles(catalog: Catalog) -> dict[str, str]:
    """doc_id → title for every document of ``catalog``."""
    return {doc.id: doc.title for doc in catalog.documents}


def document_titles(data_dir: Path, corpus_dir: Path) -> dict[str, str]:
    """Titles of the indexed documents, or of the manifest when no index is built; {} when neither is."""
    try:
        return catalog_titles(read_snapshot(data_dir).catalog)
    except PufaError:
        pass
    try:
        return catalog_titles(load_manifest(corpus_dir))
    except PufaError:
        return {}
