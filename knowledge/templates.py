"""Fixed sentences and layouts, read from the TOML files in ``prompts/`` (one loader for every surface)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache, partial
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


def sentences(file: str) -> Callable[..., str]:
    """``text`` bound to one file, for a module that reads only that file."""
    return partial(text, file)


def items(file: str, key: str) -> list[str]:
    """A list value such as ``export.headers``."""
    section, name = key.split(".", 1)
    return list(table(file)[section][name])
