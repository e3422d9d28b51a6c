"""Fixed Chinese sentences of the outreach log, from ``prompts/outreach.toml``."""

from __future__ import annotations

from knowledge.templates import table
from knowledge.templates import text as template_text


def text(key: str, **values: object) -> str:
    """The sentence at dotted ``key`` (e.g. ``errors.not_migrated``), formatted with ``values``."""
    return template_text("outreach", key, **values)


def items(key: str) -> list[str]:
    """A list value such as ``export.headers``."""
    section, name = key.split(".", 1)
    return list(table("outreach")[section][name])
