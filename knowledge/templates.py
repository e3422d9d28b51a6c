"""Fixed sentences and layouts, read from the TOML files in ``prompts/`` (one loader for every surface)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def table(file: str) -> dict[str, Any]:
    """The whole of ``prompts/<file>.toml``."""
    return tomllib.loads(resources.files("prompts").joinpath(f"{file}.toml").read_text(encoding="utf-8"))


def text(file: str, key: str, **values: object) -> str:
    """The template at ``key`` (``name`` or ``section.name``) of ``prompts/<file>.toml``, filled with ``values``."""
    node: Any = table(file)
    for part in key.split("."):
        try:
            node = node[part]
        except KeyError:
            raise KeyError(f"prompts/{file}.toml: no {key!r}") from None
    return str(node).format(**values) if values else str(node)
