"""What questions are made of, read from an article's own words: fine ranges with the act they punish,
deadlines, competent authorities and key phrases — each with the verbatim sentence it stands in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from knowledge.models import Article

_NUM = r"[0-9０-９一二三四五六七八九十百千万零两]+"
RANGE_RE = re.compile(rf"处(?:以)?(?P<v>(?:{_NUM}元以上)?{_NUM}元以下)(?:的)?罚款")
DEADLINE_RE = re.compile(r"(?P<v>[0-9一二三四五六七八九十百]+(?:个工作日|日|个月|年))(?:以)?内")
_AUTHORITY_TAIL = r"(?:部门|机关|委员会|海关|人民政府|所在单位)"
AUTHORITY_RES = (
    re.compile(
        rf"由(?P<v>[^，。；：由]{{1,40}}?{_AUTHORITY_TAIL})"
        r"(?=根据|按照|责令|给予|处|没收|撤销|吊销|视|予以)"
    ),
    re.compile(rf"^(?P<v>[^，。；：由]{{2,30}}?{_AUTHORITY_TAIL})(?=主管|负责)"),
)
_ACT_RE = re.compile(r"^(?:违反本(?:法|条例)规定，)?(?P<act>.{4,80}?)的，由")
_ITEM_MARK = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
_KEY_PHRASE_RE = re.compile(r"(?:不得|禁止|应当|必须)(?P<v>[^，。；：、（）()]{2,12})(?=[，。；：]|$)")
_CLAUSE_SPLIT = re.compile(r"[。；：]")
TERMS_FILE = Path(__file__).resolve().parents[1] / "data" / "legal_terms.txt"


@dataclass(frozen=True)
class Fact:
    """A value of one article (fine range, deadline, authority) and the verbatim clause holding it."""

    kind: str  # "penalty" | "deadline" | "authority"
    article: Article
    value: str
    sentence: str
    act: str = ""  # penalty facts: the act the fine is for, verbatim
    enforcer: bool = (
        False  # authority facts: named as the one that acts ("由……责令/处罚"), not who is in charge
    )


def clauses(text: str) -> list[str]:
    """The article's clauses (split at 。；：), verbatim, without the mark that ends them."""
    return [part.strip() for part in _CLAUSE_SPLIT.split(text) if part.strip()]


def _item_act(item: str) -> str:
    return _ITEM_MARK.sub("", item).rstrip("；;。，").strip()


def unit_of(value: str) -> str:
    """The unit a deadline or amount is counted in (日, 个工作日, 个月, 年, 元以下…), for like-for-like choices."""
    return re.sub(r"^[0-9０-９一二三四五六七八九十百千零两]+", "", value)


def penalty_facts(article: Article) -> list[Fact]:
    """The first fine range of each paragraph, with each enumerated act (项) or the paragraph's own act."""
    facts: list[Fact] = []
    for paragraph in article.paragraphs:
        found = RANGE_RE.search(paragraph.text)
        if found is None:
            continue
        value = found.group("v")
        sentence = next(c for c in clauses(paragraph.text) if value in c)
        if paragraph.items and "下列" in paragraph.text:
            acts = [_item_act(item) for item in paragraph.items]
        else:
            head = _ACT_RE.match(paragraph.text)
            acts = [head.group("act")] if head and head.end() < found.start() else []
        facts += [Fact("penalty", article, value, sentence, act) for act in acts if len(act) >= 4]
    return facts


def _sentences(article: Article) -> list[str]:
    """Every clause of the article, items included (without their （一） mark)."""
    lines = [line for p in article.paragraphs for line in (p.text, *(_item_act(i) for i in p.items))]
    return [c for line in lines for c in clauses(line)]


def rule_sentences(article: Article) -> list[str]:
    """The clauses of the article's paragraphs, without the enumerated items (fragments out of context)."""
    return [c for p in article.paragraphs for c in clauses(p.text)]


def deadline_facts(article: Article) -> list[Fact]:
    seen: dict[tuple[str, str], Fact] = {}
    for sentence in _sentences(article):
        for found in DEADLINE_RE.finditer(sentence):
            seen.setdefault(
                (found.group("v"), sentence), Fact("deadline", article, found.group("v"), sentence)
            )
    return list(seen.values())


def authority_facts(article: Article) -> list[Fact]:
    """Who decides or is in charge; vague ones ("有关部门") are left out, they make no clear answer."""
    seen: dict[tuple[str, str], Fact] = {}
    for sentence in _sentences(article):
        for pattern in AUTHORITY_RES:
            for found in pattern.finditer(sentence):
                value = found.group("v")
                if "有关" not in value:
                    fact = Fact("authority", article, value, sentence, enforcer=pattern is AUTHORITY_RES[0])
                    seen.setdefault((value, sentence), fact)
    return list(seen.values())


def names_authority(sentence: str) -> bool:
    """Whether the sentence names a department, organ or government (who is in charge or acts)."""
    return re.search(r"部门|机关|委员会|人民政府", sentence) is not None


@cache
def legal_terms() -> tuple[str, ...]:
    """The curated legal terms of three characters or more, longest first (then in code-point order, so no
    set order leaks into which phrase a question masks)."""
    words = (line.split()[0] for line in TERMS_FILE.read_text(encoding="utf-8").splitlines() if line.strip())
    return tuple(sorted({w for w in words if len(w) >= 3}, key=lambda w: (-len(w), w)))


def key_phrases(sentence: str, title: str) -> list[str]:
    """Phrases worth masking in ``sentence``: what a rule forbids or requires, then the legal terms in it;
    never words of the law's ``title`` (asking for "实验动物" in 实验动物管理条例 tests nothing)."""
    phrases = [m.group("v") for m in _KEY_PHRASE_RE.finditer(sentence)]
    phrases += [term for term in legal_terms() if term in sentence]
    return [p for p in dict.fromkeys(phrases) if p not in title]
