"""What an amendment changed: the same article in two versions of a law, compared word by word."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from knowledge.models import Article


@dataclass(frozen=True)
class Change:
    """One replaced, inserted or deleted stretch of text (``before`` or ``after`` may be empty)."""

    before: str
    after: str


def changes(old: Article, new: Article, max_changes: int = 3, context: int = 4) -> tuple[Change, ...]:
    """The distinct stretches that differ between two versions of an article (the same change made in several places counted once), each
    widened by up to ``context`` characters of the shared words around it (not across punctuation)."""
    before, after = old.text, new.text
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    found: dict[tuple[str, str], Change] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        left = _word_run(before[:i1][::-1], context)[::-1]
        right = _word_run(before[i2:], context)
        core = (before[i1:i2], after[j1:j2])
        found.setdefault(core, Change(left + core[0] + right, left + core[1] + right))
    return tuple(found.values())[:max_changes]


def _word_run(text: str, limit: int) -> str:
    """The leading characters of ``text`` up to ``limit``, stopping at punctuation or a line break."""
    run = re.match(rf"[^{_STOPS}]{{0,{limit}}}", text)
    return run.group(0) if run else ""


_STOPS = "，。；：、（）()\\n“”"
