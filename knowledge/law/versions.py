"""What an amendment changed: the same article in two versions of a law, compared word by word."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from knowledge.models import Article, Document

# The question asks which version applies to an act (从旧兼从轻), in so many words.
_WHICH_APPLIES = re.compile(
    r"(适用|按|依照?|用)(哪个|哪一|哪)个?(版本|版|法)|从旧|从轻"
    r"|(旧版|原版|旧法|老版|修正前|修订前|修改前|新版|新法|修正后|修订后|修改后)还是"
    r"|(行为|违规|违法).{0,12}(规定|法律|法规|条例|法)(改|修)了"
)
# A date in the question (``2023年``, ``2024年6月``), not one naming a version (``2020年版``, ``2024年修正``).
_DATE = re.compile(
    r"((?:19|20)\d{2})年(?:(\d{1,2})月)?(?!版|[^，。？；]{0,2}(?:修正|修订|修改|通过|公布|施行|版))"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_HANDLED = re.compile(r"罚|处理|处分|立案|查|发现|适用|追究")
_NOW = re.compile(r"现在|如今|目前|今年")
# The time of an act the question asks about (``2022年……的时候``, ``按当时的``).
_AS_OF = re.compile(r"的时候|那时|当时|期间")
_OLD_VERSION = re.compile(r"旧版|原版|旧法|老版|修正前|修订前|修改前|原来的规定")
_COMPARES = re.compile(
    r"前后|新旧|对比|比较|变化|变了|区别|改了|有没有变|变没变|(现在|目前|如今|以后|之后)还是[^，。？]{0,12}吗|还是这样|还是这个|跟.{0,12}比"
)
_IN_FORCE_FROM = re.compile(r"(\d{4}-\d{2}-\d{2})\s*起施行")


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


def law_changes(documents: tuple[Document, ...]) -> tuple[date, ...]:
    """The dates a law came into force or was changed: every version's, and an amendment we lack the text
    of (its ``amended_by`` note gives the date it took effect)."""
    found = {doc.effective for doc in documents if doc.effective}
    found |= {date.fromisoformat(d) for doc in documents for d in _IN_FORCE_FROM.findall(doc.amended_by)}
    return tuple(sorted(found))


def act_dates(text: str) -> list[date]:
    """The dates a question names for events (the last day of the month or year named), oldest first."""
    found = set()
    for year, month in _DATE.findall(text):
        found.add(_last_day(int(year), int(month) if month and 1 <= int(month) <= 12 else 12))
    return sorted(found)


def _last_day(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def act_and_handling(text: str) -> tuple[date | None, date | None]:
    """When the act a question describes was done and when it is handled (now, when the question says so,
    else the latest date it names after the act's): either None when not named."""
    dates = act_dates(text)
    done = dates[0] if dates else None
    if _NOW.search(text):
        return done, date.today()
    return done, dates[-1] if len(dates) > 1 else None


def concerns_amendment(text: str, changes: tuple[date, ...] = ()) -> bool:
    """An act done before a law was changed and handled after it (which version applies): asked in so many
    words, or the act's date and the handling's straddle one of ``changes``."""
    if _WHICH_APPLIES.search(text):
        return True
    done, handled = act_and_handling(text)
    if done is None or handled is None or not _HANDLED.search(text):
        return False
    return any(done < change <= handled for change in changes)


def compares_versions(text: str) -> bool:
    """The question compares a law's versions (``修改后罚款幅度变了没有``, ``现在还是这样吗``)."""
    return bool(_COMPARES.search(text))


def version_asked(
    text: str, documents: tuple[Document, ...] = (), changes: tuple[date, ...] = ()
) -> date | None:
    """The date whose law a question is about: the act's time when it asks which version applies (or the act
    and its handling straddle one of ``changes``), the version it names (``2020年版``, ``2020年通过的``,
    ``旧版``) of a law held in several ``documents`` (oldest first), or the time of an act it names
    (``2022年……的时候``, ``按当时的``); None for the law in force."""
    dates = act_dates(text)
    if dates and concerns_amendment(text, changes):
        return dates[0]
    if len(documents) > 1 and not _COMPARES.search(text):
        years = {int(y) for y in _YEAR.findall(text)}
        named = [d for d in documents if d.version_date and d.version_date.year in years]
        if not named and _OLD_VERSION.search(text):
            named = [documents[0]]
        if named and named[0] is not documents[-1]:  # the version in force is no earlier version
            return named[0].effective or named[0].version_date
    return dates[0] if dates and _AS_OF.search(text) else None
