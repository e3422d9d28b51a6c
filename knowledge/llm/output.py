"""Reading the model's reply: tolerant JSON parsing, citation markers checked against the retrieved set."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from knowledge.law import numerals
from knowledge.models import QuotedArticle

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
# One or more bracketed marker groups in a row: "[A1]", "[A1, A3]", "【A2】[A4]".
_MARKER_RUN = re.compile(r"(?:\s*[\[【［]\s*[Aa]\s*\d+(?:\s*[,，、;；/]\s*[Aa]?\s*\d+)*\s*[\]】］])+")
_MARKER_ID = re.compile(r"[Aa]?\s*(\d+)")
_MENTION = re.compile(rf"(?:《([^》]{{1,60}})》\s*)?第([{numerals.NUMERAL_CHARS}0-9０-９]+)条")
_TITLE = re.compile(r"《([^》]+)》")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_COUNTRY = "中华人民共和国"


@dataclass(frozen=True)
class Draft:
    """The model's fields as it wrote them; ``cited`` holds normalised markers (``A1``)."""

    conclusion: str
    compliance: list[str]
    advice: str
    cited: list[str]

    @property
    def texts(self) -> list[str]:
        return [self.conclusion, *self.compliance, self.advice]


@dataclass(frozen=True)
class Checked:
    """The draft with markers resolved; ``unknown`` markers and ``foreign`` article mentions were found."""

    conclusion: str
    compliance: list[str]
    advice: str
    cited: list[QuotedArticle]
    unknown: list[str]
    foreign: list[str]


def _marker(raw: Any) -> str:
    match = _MARKER_ID.fullmatch(str(raw).strip().strip("[]【】［］ "))
    return f"A{int(match.group(1))}" if match else str(raw)


def _strings(raw: Any) -> list[str] | None:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        return None
    return [item.strip() for item in raw if item.strip()]


def parse(content: str) -> Draft | None:
    """The JSON object in ``content`` (code fences, <think> blocks and chatter around it tolerated)."""
    content = _THINK.sub("", content)
    start, end = content.find("{"), content.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(content[start : end + 1])
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    conclusion, advice = data.get("conclusion"), data.get("advice", "")
    compliance = _strings(data.get("compliance", []))
    cited = data.get("cited", [])
    cited = [cited] if isinstance(cited, str | int) else cited
    if not isinstance(conclusion, str) or not _CJK.search(conclusion) or not isinstance(advice, str):
        return None
    if compliance is None or not isinstance(cited, list):
        return None
    return Draft(conclusion.strip(), compliance, advice.strip(), [_marker(item) for item in cited])


def short_ref(quoted: QuotedArticle) -> str:
    """``《title》第N条`` taken from the citation line, for use inside model text."""
    title = _TITLE.search(quoted.citation)
    label = f"第{numerals.to_chinese(quoted.ref.article)}条"
    return f"《{title.group(1)}》{label}" if title else label


def _same_title(a: str, b: str) -> bool:
    a, b = a.removeprefix(_COUNTRY), b.removeprefix(_COUNTRY)
    return a in b or b in a


def _foreign_mentions(text: str, candidates: list[QuotedArticle]) -> list[str]:
    """Article mentions in free text that name no retrieved article."""
    foreign = []
    for match in _MENTION.finditer(text):
        title, number = match.group(1), match.group(2)
        try:
            article = numerals.to_int(number)
        except ValueError:
            foreign.append(match.group(0))
            continue
        same = [q for q in candidates if q.ref.article == article]
        if title:
            same = [q for q in same if any(_same_title(title, t) for t in _TITLE.findall(q.citation))]
        if not same:
            foreign.append(match.group(0))
    return foreign


def check(draft: Draft, by_marker: dict[str, QuotedArticle]) -> Checked:
    """Resolve markers to ``（《title》第N条）``, drop unknown ones, collect what was cited."""
    used: dict[str, None] = {}
    unknown: dict[str, None] = {}

    def note(marker: str) -> bool:
        (used if marker in by_marker else unknown).setdefault(marker, None)
        return marker in by_marker

    def replace(match: re.Match[str]) -> str:
        found = [m for m in (f"A{int(n)}" for n in _MARKER_ID.findall(match.group(0))) if note(m)]
        refs = list(dict.fromkeys(short_ref(by_marker[m]) for m in found))
        return f"（{'、'.join(refs)}）" if refs else ""

    conclusion, advice = _MARKER_RUN.sub(replace, draft.conclusion), _MARKER_RUN.sub(replace, draft.advice)
    compliance = [_MARKER_RUN.sub(replace, item).strip() for item in draft.compliance]
    for marker in draft.cited:
        note(marker)
    foreign = [m for text in draft.texts for m in _foreign_mentions(text, list(by_marker.values()))]
    cited = [quoted for marker, quoted in by_marker.items() if marker in used]
    return Checked(
        conclusion.strip(), [c for c in compliance if c], advice.strip(), cited, list(unknown), foreign
    )
