"""Fixed Chinese sentences of the outreach log, read once from ``prompts/outreach.toml``."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def _table() -> dict[str, Any]:
    return tomllib.loads((files("prompts") / "outreach.toml").read_text(encoding="utf-8"))


def text(key: str, **values: object) -> str:
    """The sentence at dotted ``key`` (e.g. ``errors.not_migrated``), formatted with ``values``."""
    section, name = key.split(".", 1)
    return str(_table()[section][name]).format(**values)


def items(key: str) -> list[str]:
    """A list value such as ``export.headers``."""
    section, name = key.split(".", 1)
    return list(_table()[section][name])
