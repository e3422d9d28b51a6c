"""What an amendment changed: the same article in two versions of a law, compared word by word."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from knowledge.models import Article, Document

_AMENDMENT_QUESTION = re.compile(
    r"(修改|修正|修订|改了|新规定|新法|旧法|新版|旧版).{0,40}(罚|处理|适用|追究)|(适用|按|依照?)(哪个|哪一|哪)个?(版本|版|法)"
    r"|从旧|从轻"
)
_YEAR = re.compile(r"((?:19|20)\d{2})年")
# ``2020年版``, ``2020年刚出的那个版本``: a year and, a few words on, the version it dates.
_VERSION_YEAR = re.compile(r"((?:19|20)\d{2})年?[^，。？；\d]{0,8}?(?:版|修正前|修订前|修改前)")
_OLD_VERSION = re.compile(r"旧版|原版|旧法|老版|修正前|修订前|修改前|原来的规定")
_COMPARES = re.compile(r"前后|新旧|对比|比较|变化|变了|区别|改了|有没有变|变没变")
_AS_OF = re.compile(r"((?:19|20)\d{2})年(?:[^，。？]{0,6}?)(?:的时候|那时|当时|期间|时)")


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


def concerns_amendment(text: str) -> bool:
    """An act done before a law was amended and handled after it: which version applies."""
    if _AMENDMENT_QUESTION.search(text):
        return True
    years = set(_YEAR.findall(text))
    return len(years) >= 2 and bool(re.search(r"罚|处理|立案|发现|适用", text))


def compares_versions(text: str) -> bool:
    """The question compares a law's versions (``修改后罚款幅度变了没有``)."""
    return bool(_COMPARES.search(text))


def version_asked(text: str, documents: tuple[Document, ...] = ()) -> date | None:
    """The date whose law a question is about: the act's time when it asks which version applies, the
    version it names (``2020年版``, ``旧版``) of a law held in several ``documents`` (oldest first), or the
    time it names (``2021年的时候``); None for the law in force."""
    years = sorted(int(y) for y in _YEAR.findall(text))
    if years and concerns_amendment(text):
        return date(years[0], 12, 31)
    if len(documents) > 1 and not _COMPARES.search(text):
        named_years = {int(y) for y in _VERSION_YEAR.findall(text)}
        named = [d for d in documents if d.version_date and d.version_date.year in named_years]
        if not named and _OLD_VERSION.search(text):
            named = [documents[0]]
        if named:
            return named[0].effective or named[0].version_date
    match = _AS_OF.search(text)
    return date(int(match.group(1)), 12, 31) if match else None
