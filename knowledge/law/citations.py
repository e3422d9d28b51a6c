"""Parse references as people type them (``人遗条例第22条``, ``《实验动物管理条例》第十二条``,
``生物安全法 第五十六条第二款``, ``处罚法五十八条``, ``第36条 处罚法``, ``处罚法第三十六条和第三十七条``,
``Article 36 of the Administrative Penalty Law``) and write full citation lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from knowledge.law.catalog import Catalog
from knowledge.law.curated import english_titles
from knowledge.law.numerals import NUMBER_LIKE_CHARS, NUMERAL_CHARS, to_chinese, to_int
from knowledge.models import Document, MissingDocument

# A number is whole: nothing number-like (a digit, 万, a decimal point, a letter) or a minus sign touches it
# (第1.5条, 第-1条, 第二十万条, 第1e1条 are no article numbers).
_NUM = rf"(?<![{NUMBER_LIKE_CHARS}\-−－])[{NUMERAL_CHARS}0-9０-９]+(?![{NUMBER_LIKE_CHARS}])"
ARTICLE_REF_RE = re.compile(
    rf"(?<![哪每这那同本该上下此前某几])第?\s*({_NUM})\s*条(?!件|例)(?:\s*第?\s*({_NUM})\s*款)?(?:\s*第?\s*({_NUM})\s*项)?"
)
# Further articles listed after the first (``第三十六条和第三十七条``, ``第36、37条``); at most MAX_LISTED in all.
ARTICLE_LIST_RE = re.compile(
    rf"第\s*({_NUM})\s*条?((?:\s*(?:、|，|,|和|及|与|以及|跟)\s*第?\s*{_NUM}\s*条?)+)"
)
MAX_LISTED = 5
# ``Art. 36``, ``article 36``, ``Articles 36``: an article in English.
ENGLISH_ARTICLE_RE = re.compile(r"(?<![a-z])art(?:icle)?s?\.?\s*(\d+)()()(?!\d)", re.I)
# A number right after the law's name, without 条 (``生物安全法56``): the article.
BARE_NUMBER_RE = re.compile(rf"[\s《》]*第?\s*({_NUM})()()(?![年月日号版届次])")
# 第…条 (款, 项) around something number-like: an article number, to be read completely or refused.
NUMBERED_RE = re.compile(rf"第\s*([{NUMBER_LIKE_CHARS}]+)\s*[条款项]")
_HAS_DIGIT = re.compile(rf"[{NUMERAL_CHARS}0-9０-９]")
# An unknown law's name: CJK characters before 法/条例/…, not starting inside a phrase like 请帮我查….
_NOT_IN_NAME = "帮我查看请问把给在和与及中里的了吗呢按照据出关于对是有要条款项"
LAW_NAME_RE = re.compile(
    rf"《([^《》<>]{{2,40}})》|((?:(?![{_NOT_IN_NAME}])[\u4e00-\u9fff]){{1,12}}?(?:法典|法|条例|办法|细则|规定))"
)
_YEAR_RE = re.compile(r"(19|20)\d{2}")
_CN_PREFIX = "中华人民共和国"


@dataclass(frozen=True)
class Reference:
    """A resolved reference: which documents (versions) and which article, 款, 项."""

    documents: tuple[Document, ...]
    article: int
    paragraph: int | None = None
    item: int | None = None
    also: tuple[int, ...] = ()  # further articles asked in the same breath (no 款 or 项 then)

    @property
    def articles(self) -> tuple[int, ...]:
        return (self.article, *self.also)


@dataclass(frozen=True)
class LawMention:
    """What a text names: a document we have, one we know is missing, or an unknown law."""

    name: str
    documents: tuple[Document, ...] = ()
    missing: MissingDocument | None = None
    suggestion: str = ""  # a title the typed name is probably a misspelling of (when unsure)


def _normalise(name: str) -> str:
    name = re.sub(r"[\s《》<>]", "", name).lower()
    name = re.sub(r"[（(][^）)]*[）)]$", "", name)
    return name.removeprefix(_CN_PREFIX)


def _loose(text: str) -> str:
    """For matching titles as people shorten them: without 关于, 的, book-title marks and quotes."""
    return re.sub(r"关于|的|[《》“”\"'‘’「」]", "", text)


# A missing document's title typed loosely (天津实施…的办法 for 天津市实施…的办法, 指导性文件 for 指导性意见): its name
# without the closing kind of document (办法, 意见) may differ by this share of edits in the part no held document's
# name covers (none under 5 characters), and some kind of document must follow it. Shorter names (许可证管理办法)
# are matched exactly only.
FUZZY_TITLE_EDITS = 0.2
_FUZZY_MIN_CHARS = 5
_FUZZY_MIN_NAME = 8
_DOC_KIND = re.compile(r"(办法|意见|细则|规定|文件|条例|通知|规章)$")
_DOC_KIND_AFTER = re.compile(r"^.{0,2}(办法|意见|细则|规定|文件|条例|通知|规章)")


def _edits_within(pattern: str, text: str) -> tuple[int, int]:
    """The fewest edits turning ``pattern`` into some stretch of ``text`` (semi-global edit distance), and
    where in ``text`` the first such stretch ends."""
    previous = [0] * (len(text) + 1)  # the stretch may start anywhere
    for i, char in enumerate(pattern, start=1):
        current = [i] + [0] * len(text)
        for j, other in enumerate(text, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
        previous = current
    edits = min(previous)
    return edits, previous.index(edits)


class ReferenceParser:
    """Finds law names and article numbers in free text, resolving names through the catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._names: dict[str, str] = {}  # normalised name or alias → title
        for doc in catalog.documents:
            for name in (doc.title, *doc.aliases):
                self._names.setdefault(_normalise(name), doc.title)
        for doc_id, names in english_titles().items():
            held = catalog.get(doc_id)
            if held is not None:
                for name in names:
                    self._names.setdefault(_normalise(name), held.title)
        self._missing: dict[str, MissingDocument] = {}
        for missing in catalog.missing:
            for name in (missing.title, *missing.aliases):
                self._missing.setdefault(re.sub(r"[\s《》]", "", name).removeprefix(_CN_PREFIX), missing)
        self._fuzzy = self._fuzzy_titles()

    def mention(self, text: str) -> LawMention | None:
        """The law a text names, if any: longest known name first, then 《…》 or a ``…法`` word."""
        compact = _compact(text)
        loose = _loose(compact)
        for name, missing in sorted(self._missing.items(), key=lambda kv: -len(kv[0])):
            if name and _loose(name) in loose and self._is_missing_meant(compact, name):
                return LawMention(name, (), missing)
        for name, core, allowed in self._fuzzy:
            edits, end = _edits_within(core, loose)
            if edits <= allowed and _DOC_KIND_AFTER.match(loose[end:]):
                return LawMention(name, (), self._missing[name])
        known = [name for name in self._names if name and name in compact]
        if known:
            name = max(known, key=len)
            return LawMention(name, self._versions(self._names[name]))
        typo = self._misspelt(compact)
        if typo:
            return typo
        for match in LAW_NAME_RE.finditer(compact):
            name = _normalise(match.group(1) or match.group(2))
            title = self._by_suffix(name)
            if title:
                return LawMention(name, self._versions(title))
            if match.group(1) or ARTICLE_REF_RE.match(compact, match.end()):
                return LawMention(name)  # a law we do not have, named as one: 《…》 or followed by 第N条
        return None

    def titles_named(self, text: str) -> frozenset[str]:
        """The titles of every law we hold that ``text`` names by its title or an alias."""
        compact = _compact(text)
        return frozenset(title for name, title in self._names.items() if name and name in compact)

    def _misspelt(self, compact: str) -> LawMention | None:
        """A misspelt or abbreviated name just before an article number (``人遗条理第22条``, ``野保法第38条``):
        the title when one is clearly meant, a suggestion when only probably."""
        for ref in ARTICLE_REF_RE.finditer(compact):
            typed = re.search(r"[\u4e00-\u9fff]{3,16}$", compact[: ref.start()].rstrip("《》<> "))
            if typed is None:
                continue
            sure, close = self._closest(typed.group(0))
            if len(sure) == 1:
                (name,) = sure
                return LawMention(name, self._versions(self._names[name]))
            if sure or close:
                return LawMention(typed.group(0), suggestion=self._names[min(sure or close, key=len)])
        return None

    def _closest(self, typed: str) -> tuple[set[str], set[str]]:
        """Known names the end of ``typed`` is one edit from (or an abbreviation of), and names it is two
        edits from (long names only); names of the same title count once."""
        sure: dict[str, str] = {}
        close: dict[str, str] = {}
        for name, title in self._names.items():
            for length in range(3, len(name) + 3):
                if length > len(typed):
                    break
                typed_name = typed[-length:]
                distance = _edit_distance(typed_name, name)
                if (distance == 1 and len(name) >= 4) or _abbreviates(typed_name, name):
                    sure.setdefault(title, name)
                elif distance == 2 and len(name) >= MIN_CHARS_FOR_TWO_TYPOS:
                    close.setdefault(title, name)
        return set(sure.values()), set() if sure else set(close.values())

    def _fuzzy_titles(self) -> list[tuple[str, str, int]]:
        """(name, its core, edits allowed) of each missing document's name that may be typed loosely: the core
        is the name without its closing kind of document; the edits are counted against the part of the core no
        held document's name covers (``人类遗传资源管理条例实施细则``: only 实施, too short to allow any)."""
        found = []
        for name in self._missing:
            core = own = _DOC_KIND.sub("", _loose(name))
            for known in self._names:
                if len(known) >= 4:
                    own = own.replace(known, "")
            allowed = int(len(own) * FUZZY_TITLE_EDITS) if len(own) >= _FUZZY_MIN_CHARS else 0
            if len(core) >= _FUZZY_MIN_NAME and core != _loose(name):
                found.append((name, core, allowed))
        return found

    def _is_missing_meant(self, compact: str, name: str) -> bool:
        # A missing document's alias may be part of a longer title we do have (e.g. 实施细则 vs 条例).
        return not any(len(known) > len(name) and name in known and known in compact for known in self._names)

    def _by_suffix(self, name: str) -> str | None:
        """``处罚法`` → 行政处罚法: a unique title that ends with the typed name."""
        titles = {title for key, title in self._names.items() if key.endswith(name) and len(name) >= 3}
        return titles.pop() if len(titles) == 1 else None

    def _versions(self, title: str) -> tuple[Document, ...]:
        return tuple(self._catalog.versions(title))

    def unreadable_number(self, text: str) -> str:
        """The first ``第…条`` (款, 项) whose number cannot be read completely (``第二十万条``), or ``""``."""
        for match in NUMBERED_RE.finditer(re.sub(r"\s", "", text)):
            number = match.group(1)
            if not _HAS_DIGIT.search(number):
                continue  # 第N条: a placeholder, not a number
            try:
                to_int(number)
            except ValueError:
                return match.group(0)
        return ""

    def parse(self, text: str) -> tuple[LawMention | None, Reference | None]:
        """The law named and, if an article number follows it (or stands before it: ``第36条 处罚法``), the
        resolved reference; every article of a list (``第三十六条和第三十七条``) is kept."""
        mention = self.mention(text)
        if not mention or not mention.documents:
            return mention, None
        after, compact = _after_law(text, mention), _compact(text)
        try:
            for where in (after, compact):
                listed = ARTICLE_LIST_RE.search(where)
                if listed and "条" in listed.group(0):
                    first, also = _listed(listed)
                    return mention, Reference(mention.documents, first, also=also)
            match = (
                ARTICLE_REF_RE.search(after)
                or BARE_NUMBER_RE.match(after)
                or ARTICLE_REF_RE.search(compact)
                or ENGLISH_ARTICLE_RE.search(text)
            )
            if not match:
                return mention, None
            number, paragraph, item = (to_int(g) if g else None for g in match.groups())
        except ValueError:  # 第二十二十条: read completely or not at all (unreadable_number names it)
            return mention, None
        assert number is not None
        return mention, Reference(mention.documents, number, paragraph, item)


def _listed(listed: re.Match[str]) -> tuple[int, tuple[int, ...]]:
    """The first article of a list and the others, without repeats, at most MAX_LISTED in all."""
    numbers: list[int] = []
    for raw in (listed.group(1), *re.findall(_NUM, listed.group(2))):
        if (number := to_int(raw)) not in numbers:
            numbers.append(number)
    return numbers[0], tuple(numbers[1:MAX_LISTED])


def _compact(text: str) -> str:
    """The text as names are matched: no whitespace, no 中华人民共和国, lower case (English names)."""
    return re.sub(r"\s", "", text).replace(_CN_PREFIX, "").lower()


MIN_CHARS_FOR_TWO_TYPOS = 7


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def _abbreviates(typed: str, name: str) -> bool:
    """``野保法`` for 野生动物保护法: the same first and last character, the rest in order within the name."""
    if len(typed) >= len(name) or typed[0] != name[0] or typed[-1] != name[-1]:
        return False
    rest = iter(name[1:-1])
    return all(char in rest for char in typed[1:-1])


def _after_law(text: str, mention: LawMention | None) -> str:
    """Search for the article number after the law's name when the name is in the text."""
    if mention is None:
        return text
    compact = _compact(text)
    pos = compact.find(mention.name)
    return compact[pos + len(mention.name) :] if pos >= 0 else compact


def pick_versions(documents: tuple[Document, ...], catalog: Catalog, text: str) -> tuple[Document, ...]:
    """Which versions a text asks for: all when it compares (修正前后), a year's, the old one (旧版), or the
    one in force."""
    if len(documents) == 1:
        return documents
    if re.search(r"前后|新旧|对比|比较|变化|变了|区别", text):
        return documents
    years = {int(m.group(0)) for m in _YEAR_RE.finditer(text)}
    dated = [d for d in documents if d.version_date and d.version_date.year in years]
    if dated:
        return (dated[-1],)
    if re.search(r"旧版|原版|旧法|老版|修正前|修订前|修改前|原来的", text):
        return documents[:1]
    current = [d for d in documents if d.id in catalog.competing_ids()]
    return tuple(current or documents[-1:])


def chinese_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def citation_line(doc: Document, article: int, paragraph: int | None = None, item: int | None = None) -> str:
    """``《中华人民共和国人类遗传资源管理条例》（国务院令第717号，2019年5月28日公布）第二十二条``."""
    details = [doc.doc_number] if doc.doc_number else []
    if doc.promulgated:
        details.append(f"{chinese_date(doc.promulgated)}公布")
    if doc.version_date and doc.version_date != doc.promulgated:
        details.append(f"{chinese_date(doc.version_date)}修订版本")
    where = f"第{to_chinese(article)}条"
    if paragraph:
        where += f"第{to_chinese(paragraph)}款"
    if item:
        where += f"第（{to_chinese(item)}）项"
    version = f"（{'，'.join(details)}）" if details else ""
    return f"《{doc.title}》{version}{where}"


def short_citation(citation: str) -> str:
    """``《标题》（…）第N条`` → ``《标题》第N条``."""
    return re.sub(r"》（[^）]*）", "》", citation)


def amendment_notice(doc: Document, catalog: Catalog) -> str:
    """For a version that was later amended: what amended it, and the manifest's note."""
    if doc.status != "amended":
        return ""
    newer = catalog.newer_version(doc)
    parts = [
        f"注意：本文本为{chinese_date(doc.version_date)}版本，已被修改"
        if doc.version_date
        else "注意：本文本已被修改"
    ]
    if doc.amended_by:
        parts.append(f"（{doc.amended_by}）")
    text = "".join(parts) + "。"
    if doc.amendment_note:
        text += doc.amendment_note
    if newer:
        text += (
            f"现行版本为{chinese_date(newer.version_date)}版本（{newer.id}）。" if newer.version_date else ""
        )
    else:
        text += "修改后的文本尚未收入本知识库，请以现行有效文本为准。"
    return text
