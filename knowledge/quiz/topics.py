"""Training topics: which documents feed which topic (``knowledge/data/quiz_topics.toml``)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from knowledge.models import Document

TOPICS_FILE = Path(__file__).resolve().parents[1] / "data" / "quiz_topics.toml"


@cache
def _config() -> dict[str, Any]:
    return tomllib.loads(TOPICS_FILE.read_text(encoding="utf-8"))


def topic_names() -> tuple[str, ...]:
    return tuple(entry["name"] for entry in _config()["topic"])


def usable(doc: Document) -> bool:
    """Versions in force only, plus the amended texts the topics file allows (shown with their notice)."""
    return doc.status == "current" or doc.id in _config().get("amended_allowed", {}).get("ids", [])


def topic_of(doc: Document) -> str | None:
    """The document's topic: by id first, else by its first (main) domain; None when it has none."""
    entries = _config()["topic"]
    by_id = next((e["name"] for e in entries if doc.id in e.get("documents", [])), None)
    if by_id or not doc.domains:
        return by_id
    return next((e["name"] for e in entries if doc.domains[0] in e.get("domains", [])), None)
