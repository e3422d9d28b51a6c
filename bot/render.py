"""Answers and other results as plain text (terminal, ``pufa ask``) and as Telegram HTML parts.

Telegram counts a message's length after entity parsing, in UTF-16 code units, and rejects more than
4096. The HTML renderer therefore builds messages from *blocks*: a piece of plain text shown with at most
one wrapping tag. Every block's visible length is the length of its plain text, so parts are packed
exactly, and a split only ever happens between blocks (articles first, then paragraphs, then
sentences), never inside a tag or an entity: every part is valid HTML on its own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from knowledge.models import Answer, CitedCase, Hit, QuotedArticle
from knowledge.templates import sentences, table

TELEGRAM_LIMIT = 4096
_SENTENCE_CHARS = "。；！？;!?"
_SENTENCE_END = re.compile(f"(?<=[{_SENTENCE_CHARS}])")


text = sentences("bot")  # the fixed sentence ``section.name`` of prompts/bot.toml
case_text = sentences("cases")


def texts_section(section: str) -> dict[str, str]:
    """A whole section of prompts/bot.toml (e.g. the command descriptions)."""
    return dict(table("bot")[section])


def utf16_len(value: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(value.encode("utf-16-le")) // 2


# ---------------------------------------------------------------- document model


@dataclass(frozen=True)
class Block:
    """Plain ``body`` shown as one line group, wrapped in ``tag`` (``""``, ``b``, ``i``, ``blockquote``)."""

    body: str
    tag: str = ""

    def html(self) -> str:
        escaped = html.escape(self.body, quote=False)
        if not self.tag:
            return escaped
        name = self.tag.split()[0]
        return f"<{self.tag}>{escaped}</{name}>"


# A unit is a run of blocks kept in one message when it fits (a heading with its first article, or one
# article with its citation line). A section is a list of units; sections are separated by a blank line.
Unit = list[Block]
Section = list[Unit]


def _quoted_units(quoted: Iterable[QuotedArticle], quote_tag: str) -> list[Unit]:
    units: list[Unit] = []
    for item in quoted:
        unit = [Block(item.citation, "b"), Block(item.text, quote_tag)]
        if item.notice:
            unit.append(Block(item.notice, "i"))
        units.append(unit)
    return units


def _titled(title_key: str, units: list[Unit]) -> Section:
    """A section whose heading stays with its first unit."""
    heading = Block(text(title_key), "b")
    if not units:
        return [[heading]]
    return [[heading, *units[0]], *units[1:]]


def answer_sections(answer: Answer) -> list[Section]:
    """The answer in render order: 结论, 法律依据, 合规要点, 法律责任, 建议, notices."""
    bullet = text("render.bullet")
    sections: list[Section] = [_titled("render.conclusion", [[Block(answer.conclusion)]])]
    if answer.basis:
        sections.append(_titled("render.basis", _quoted_units(answer.basis, "blockquote")))
    if answer.compliance:
        sections.append(_titled("render.compliance", [[Block(bullet + line)] for line in answer.compliance]))
    if answer.liability or answer.liability_summary:
        summary = [[Block(bullet + line)] for line in answer.liability_summary]
        quoted = _quoted_units(answer.liability, "blockquote expandable")
        sections.append(_titled("render.liability", summary + quoted))
    if answer.cases:
        sections.append(case_section(answer.cases))
    if answer.advice:
        sections.append(_titled("render.advice", [[Block(answer.advice)]]))
    if answer.notices:
        sections.append([[Block(notice, "i")] for notice in answer.notices])
    return sections


def case_lines(cited: CitedCase) -> list[str]:
    """One case as lines: who (and when), what they did, what followed, the lesson, the basis then
    (the law has changed since) and today's rules."""
    case = cited.case
    when = (
        case_text(
            "render.when", authority=case.authority, decided=case.decided_note or case.decided
        )
        if case.authority or case.decided
        else ""
    )
    return [
        case_text("render.party", party=case.party, when=when),
        case_text("render.facts", facts=case.facts),
        case_text("render.penalty", penalty="；".join(case.penalty)),
        case_text("render.lesson", lesson=case.lesson),
        case_text(_then_key(cited), basis_then=case.basis_then),
        case_text("render.rules", rules="、".join(cited.rules)),
    ]


def _then_key(cited: CitedCase) -> str:
    hgr = "human_genetic_resources" in cited.domains
    return "render.then_human_genetic_resources" if hgr else "render.then_other"


def case_section(cases: Sequence[CitedCase]) -> Section:
    """The "典型案例" block: one unit per case, its party in bold."""
    units: list[Unit] = []
    for cited in cases:
        head, *rest = case_lines(cited)
        units.append([Block(head, "b"), Block("\n".join(rest))])
    heading = Block(case_text("render.title"), "b")
    return [[heading, *units[0]], *units[1:]]


def cases_sections(query: str, found: Sequence[CitedCase]) -> list[Section]:
    """/cases: a line per case without a query; the matching cases in full with one."""
    if not found:
        return [[[Block(case_text("bot.none", query=query))]]]
    if query:
        return [case_section(found)]
    lines = [
        [
            Block(
                case_text("bot.line", index=i, title=c.case.title, lesson=c.case.lesson)
            )
        ]
        for i, c in enumerate(found, 1)
    ]
    return [_titled_plain(case_text("bot.header", count=len(found)), lines)]


def quoted_sections(quoted: Sequence[QuotedArticle]) -> list[Section]:
    """Full texts of articles (查看原文, /cite), one section per article."""
    return [[unit] for unit in _quoted_units(quoted, "")]


def hits_sections(question: str, hits: Sequence[Hit]) -> list[Section]:
    """Search results, best first."""
    if not hits:
        return [[[Block(text("render.search_empty", question=question))]]]
    lines = [
        [Block(text("render.search_line", rank=i, title=h.title, article=h.ref.article, score=h.score))]
        for i, h in enumerate(hits, start=1)
    ]
    return [_titled_plain(text("render.search_header", question=question), lines)]


def _titled_plain(heading: str, units: list[Unit]) -> Section:
    head = Block(heading, "b")
    return [[head, *units[0]], *units[1:]] if units else [[head]]


def text_sections(body: str) -> list[Section]:
    """Free plain text (e.g. /laws, fixed messages): blank-line separated paragraphs become sections."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    return [[[Block(line)] for line in p.split("\n")] for p in paragraphs] or [[[Block(body)]]]


# ---------------------------------------------------------------- plain text


def _plain_block(block: Block) -> str:
    if block.tag.startswith("blockquote"):
        return "\n".join("  " + line if line else line for line in block.body.split("\n"))
    return block.body


def _plain(sections: Iterable[Section]) -> str:
    out = []
    for section in sections:
        out.append("\n".join(_plain_block(b) for unit in section for b in unit))
    return "\n\n".join(out)


def render_plain(answer: Answer) -> str:
    """The answer as plain text, conclusion first."""
    return _plain(answer_sections(answer))


def render_cases_plain(query: str, found: Sequence[CitedCase]) -> str:
    return _plain(cases_sections(query, found))


def render_quoted_plain(quoted: Sequence[QuotedArticle]) -> str:
    return _plain(quoted_sections(quoted))


def render_hits_plain(question: str, hits: Sequence[Hit]) -> str:
    return _plain(hits_sections(question, hits))


# ---------------------------------------------------------------- HTML with splitting


def _hard_pieces(body: str, limit: int) -> Iterator[str]:
    """Cut ``body`` into pieces of at most ``limit`` UTF-16 units, preferring sentence ends."""
    piece, size = "", 0
    for sentence in _SENTENCE_END.split(body):
        n = utf16_len(sentence)
        if size + n <= limit:
            piece, size = piece + sentence, size + n
            continue
        if piece:
            yield piece
        piece, size = "", 0
        for char in sentence:  # a sentence longer than the limit: cut by code point
            c = utf16_len(char)
            if size + c > limit:
                yield piece
                piece, size = "", 0
            piece, size = piece + char, size + c
    if piece:
        yield piece


def _fit(block: Block, limit: int) -> list[Block]:
    """``block`` as blocks each at most ``limit`` long, split at paragraph (line) boundaries first."""
    if utf16_len(block.body) <= limit:
        return [block]
    lines: list[str] = []
    for line in block.body.split("\n"):
        lines.extend(_hard_pieces(line, limit) if utf16_len(line) > limit else [line])
    out: list[Block] = []
    current: list[str] = []
    size = 0
    for line in lines:
        n = utf16_len(line) + (1 if current else 0)
        if current and size + n > limit:
            out.append(Block("\n".join(current), block.tag))
            current, size = [], 0
            n = utf16_len(line)
        current.append(line)
        size += n
    if current:
        out.append(Block("\n".join(current), block.tag))
    return out


class _Packer:
    """Greedy packing of blocks into parts of at most ``limit`` visible characters."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self._html: list[str] = []
        self._size = 0

    def _sep(self, gap: bool) -> str:
        if not self._html:
            return ""
        return "\n\n" if gap else "\n"

    def fits(self, blocks: Sequence[Block], gap: bool) -> bool:
        size = utf16_len(self._sep(gap)) + sum(utf16_len(b.body) for b in blocks) + len(blocks) - 1
        return self._size + size <= self.limit

    def add(self, block: Block, gap: bool) -> None:
        if self._html and not self.fits([block], gap):
            self.flush()
        sep = self._sep(gap)
        self._html.append(sep + block.html())
        self._size += utf16_len(sep) + utf16_len(block.body)

    def flush(self) -> None:
        if self._html:
            self.parts.append("".join(self._html))
        self._html, self._size = [], 0

    def add_unit(self, unit: Unit, gap: bool) -> None:
        """Keep the unit in one part if it fits in one; else let it flow, filling the current part."""
        whole = sum(utf16_len(b.body) for b in unit) + len(unit) - 1
        if whole <= self.limit:
            if self._html and not self.fits(unit, gap):
                self.flush()
            for i, block in enumerate(unit):
                self.add(block, gap and i == 0)
            return
        for block in unit:
            self._flow(block, gap)
            gap = False

    def _flow(self, block: Block, gap: bool) -> None:
        """Add an oversize ``block``: whole lines into the room left, the rest in fresh parts."""
        if self._html and not self.fits([block], gap):
            room = self.limit - self._size - utf16_len(self._sep(gap))
            head, rest = _take_lines(block.body, room, self.limit)
            if head:
                self.add(Block(head, block.tag), gap)
                block, gap = Block(rest, block.tag), False
            self.flush()
        for piece in _fit(block, self.limit):
            self.add(piece, gap)
            gap = False


def _take_lines(body: str, room: int, limit: int) -> tuple[str, str]:
    """The longest run of leading lines of ``body`` that fits in ``room``, and the rest.

    A line too long for any message is itself split at sentence ends to fill the room.
    """
    lines = body.split("\n")
    size = taken = 0
    for line in lines:
        size += utf16_len(line) + (1 if taken else 0)
        if size > room:
            break
        taken += 1
    head, rest = lines[:taken], lines[taken:]
    if rest and utf16_len(rest[0]) > limit:
        left = room - utf16_len("\n".join(head)) - (1 if head else 0)
        first = next(_hard_pieces(rest[0], left), "") if left > 0 else ""
        if first and first[-1] in _SENTENCE_CHARS:  # whole sentences only
            head, rest = [*head, first], [rest[0][len(first) :], *rest[1:]]
    return "\n".join(head), "\n".join(rest)


def pack_html(sections: Sequence[Section], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Sections as HTML message parts, each at most ``limit`` long after entity parsing."""
    packer = _Packer(limit)
    for section in sections:
        for j, unit in enumerate(section):
            blocks = [b for b in unit if b.body]
            if blocks:
                packer.add_unit(blocks, gap=j == 0)
    packer.flush()
    return packer.parts


def render_html(answer: Answer, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The answer as Telegram HTML parts (≤ ``limit`` characters each after entity parsing)."""
    return pack_html(answer_sections(answer), limit)


def render_quoted_html(quoted: Sequence[QuotedArticle], limit: int = TELEGRAM_LIMIT) -> list[str]:
    return pack_html(quoted_sections(quoted), limit)


def render_hits_html(question: str, hits: Sequence[Hit], limit: int = TELEGRAM_LIMIT) -> list[str]:
    return pack_html(hits_sections(question, hits), limit)


def render_cases_html(query: str, found: Sequence[CitedCase], limit: int = TELEGRAM_LIMIT) -> list[str]:
    return pack_html(cases_sections(query, found), limit)


def render_text_html(body: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Plain text (fixed messages, /laws listing) as escaped HTML parts."""
    return pack_html(text_sections(body), limit)
