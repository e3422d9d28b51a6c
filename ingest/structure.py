"""Parse the structure of a law text — title, 章, 节, 条, 款, 项 — from its lines.

Works on LawRefBook Markdown (``# title``, ``<!-- INFO END -->``, ``## 第X章``, ``### 第X节``) and on
plain lines taken from .txt, .docx or .html files (the same headings without ``#``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.limits import Budget
from knowledge.errors import CorpusError
from knowledge.law.numerals import NUMERAL_CHARS, to_int
from knowledge.models import Article, Paragraph

_NUM = rf"[{NUMERAL_CHARS}0-9０-９]+"
ARTICLE_RE = re.compile(rf"^第({_NUM})条(?:[\s\u3000]+|$)(.*)$")
CHAPTER_RE = re.compile(rf"^第{_NUM}[章编](?:[\s\u3000]|$)")
SECTION_RE = re.compile(rf"^第{_NUM}节(?:[\s\u3000]|$)")
ITEM_RE = re.compile(rf"^[（(]{_NUM}[）)]")
INFO_END = "<!-- INFO END -->"


@dataclass
class ParsedText:
    """A parsed document: its title, preamble lines and articles, plus numbering problems."""

    title: str
    preamble: list[str]
    articles: list[Article]
    skipped: list[int] = field(default_factory=list)


@dataclass
class _Draft:
    number: int
    label: str
    line: int
    chapter: str
    section: str
    paragraphs: list[Paragraph] = field(default_factory=list)

    def add_line(self, text: str) -> None:
        if ITEM_RE.match(text) and self.paragraphs:
            last = self.paragraphs[-1]
            self.paragraphs[-1] = Paragraph(last.text, (*last.items, text))
        else:
            self.paragraphs.append(Paragraph(text))


def _clean(line: str) -> str:
    return line.strip().strip("\u3000").strip()


def parse_lines(lines: list[str], doc_id: str, source: Path, budget: Budget | None = None) -> ParsedText:
    """Parse ``lines`` (the whole file) into articles; raise CorpusError naming file and line (or the
    time ``budget`` spent)."""
    has_marker = any(line.strip() == INFO_END for line in lines)
    title, preamble = "", []
    chapter = section = ""
    drafts: list[_Draft] = []
    in_body = not has_marker
    for lineno, raw in enumerate(lines, start=1):
        if budget and lineno % 1000 == 0:
            budget.check()
        line = _clean(raw)
        if not line:
            continue
        if line == INFO_END:
            in_body = True
            continue
        heading = line.lstrip("#").strip() if line.startswith("#") else line
        if _is_title(line, title, chapter, drafts):
            title = heading
            continue
        if not in_body:
            preamble.append(line)
            continue
        if CHAPTER_RE.match(heading):
            chapter, section = heading, ""
            continue
        if SECTION_RE.match(heading):
            section = heading
            continue
        match = ARTICLE_RE.match(line)
        if match:
            label = f"第{match.group(1)}条"
            drafts.append(
                _Draft(_article_number(match.group(1), source, lineno), label, lineno, chapter, section)
            )
            if match.group(2).strip():
                drafts[-1].add_line(match.group(2).strip())
            continue
        if drafts:
            drafts[-1].add_line(line)
        else:
            preamble.append(line)
    if not drafts:
        raise CorpusError(f"{source}: 未识别到任何条文（no articles like “第一条 ……” found）")
    _check_duplicates(drafts, source)
    articles = [
        Article(doc_id, d.number, d.label, tuple(d.paragraphs), d.chapter, d.section, d.line) for d in drafts
    ]
    return ParsedText(title or source.stem, preamble, articles, _skipped(drafts))


def _is_title(line: str, title: str, chapter: str, drafts: list[_Draft]) -> bool:
    """The first heading-like line before any chapter or article (never a later 款)."""
    if title or chapter or drafts or ARTICLE_RE.match(line) or CHAPTER_RE.match(line):
        return False
    return line.startswith("# ") or not line.startswith("#")


def _check_duplicates(drafts: list[_Draft], source: Path) -> None:
    first_line: dict[int, int] = {}
    clashes: list[_Draft] = []
    for draft in drafts:
        if draft.number in first_line:
            clashes.append(draft)
        else:
            first_line[draft.number] = draft.line
    if clashes:
        where = "、".join(f"{d.label}（第{first_line[d.number]}行与第{d.line}行）" for d in clashes)
        raise CorpusError(f"{source}:{clashes[0].line}: 条文编号重复（duplicate article numbers）: {where}")


def _skipped(drafts: list[_Draft]) -> list[int]:
    numbers = {d.number for d in drafts}
    return [n for n in range(1, max(numbers) + 1) if n not in numbers]


def _article_number(numeral: str, path: Path, lineno: int) -> int:
    """The number of an article heading, read completely (``第二十二十条`` is an error naming the line)."""
    try:
        return to_int(numeral)
    except ValueError as exc:
        raise CorpusError(
            f"{path}:{lineno}: 无法识别的条文序号 第{numeral}条（unreadable article number）"
        ) from exc
