"""Fixed Chinese sentences of inspector training, from ``prompts/training.toml``."""

from __future__ import annotations

from typing import Any

from knowledge.templates import sentences, table

text = sentences("training")  # the sentence at dotted ``key`` (e.g. ``errors.hours``)


def value(key: str) -> Any:
    """A list or table value such as ``records.kinds``."""
    node: Any = table("training")
    for part in key.split("."):
        node = node[part]
    return node
