"""Fixed Chinese sentences of inspector training, from ``prompts/training.toml``."""

from __future__ import annotations

from typing import Any

from knowledge.templates import table
from knowledge.templates import text as template_text


def text(key: str, **values: object) -> str:
    """The sentence at dotted ``key`` (e.g. ``errors.hours``), formatted with ``values``."""
    return template_text("training", key, **values)


def value(key: str) -> Any:
    """A list or table value such as ``records.kinds``."""
    node: Any = table("training")
    for part in key.split("."):
        node = node[part]
    return node
