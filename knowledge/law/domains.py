"""The corpus domains and their Chinese titles: the one list every surface and report uses.

Titles live in ``prompts/knowledge.toml`` ([domain.labels]); a code without a title is shown as
"未知领域（code）", never an error.
"""

from __future__ import annotations

from knowledge.templates import table
from knowledge.templates import text as template

# The two domains whose units the bureau licenses and inspects (its register of regulated units).
REGULATED = ("lab_animals", "human_genetic_resources")
NONE = "none"  # sessions and questions that touched no domain


def labels() -> dict[str, str]:
    """Every known domain code and its title, in the order of prompts/knowledge.toml."""
    return dict(table("knowledge")["domain"]["labels"])


def known() -> tuple[str, ...]:
    """Every known domain code (the regulated ones first)."""
    return tuple(dict.fromkeys((*REGULATED, *labels())))


def label(code: str) -> str:
    """The Chinese title of ``code``; "未分类" for NONE; "未知领域（code）" for a code without a title."""
    if code == NONE:
        return template("knowledge", "domain.none")
    return labels().get(code) or template("knowledge", "domain.unknown", code=code)


def parse(raw: str) -> str | None:
    """The code named by ``raw`` (a code or its Chinese title, e.g. "实验动物"), or None if unknown."""
    value = raw.strip()
    for code, title in labels().items():
        if value in (code, title):
            return code
    return None
