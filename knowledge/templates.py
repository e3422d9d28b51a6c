"""Fixed sentences and layouts, read from the TOML files in ``prompts/``."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@cache
def _table(name: str) -> dict[str, str]:
    with (PROMPTS_DIR / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


def text(file: str, key: str, **values: object) -> str:
    """The template ``key`` of ``prompts/<file>.toml``, filled with ``values``."""
    return _table(file)[key].format(**values) if values else _table(file)[key]


def prompt_file(name: str) -> str:
    """A whole prompt file such as ``llm_system.txt``."""
    return (PROMPTS_DIR / name).read_text(encoding="utf-8")
