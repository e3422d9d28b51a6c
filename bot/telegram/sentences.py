"""Sentences of the bureau's records in Telegram, from ``prompts/bureau.toml``."""

from __future__ import annotations

from knowledge.templates import text as template


def say(key: str, **values: object) -> str:
    """The sentence at ``section.name`` of prompts/bureau.toml, with ``values`` filled in."""
    return template("bureau", key, **values)
