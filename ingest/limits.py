"""Limits on source files, checked before or while anything large is read or decompressed.

A regulation is a few hundred kilobytes with paragraphs of a few hundred characters; these bounds are far
above any real one and keep a hostile or broken file (a 50 MB text, a single 19 MB line, HTML nested a
million deep, a .docx that inflates to gigabytes whatever its zip headers say) from taking minutes and
gigabytes of memory. Each refusal names the file (and line) and the limit.
"""

from __future__ import annotations

import copy
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from knowledge.errors import CorpusError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_LINES = 100_000
MAX_LINE_CHARS = 20_000  # the longest paragraph of the corpus has about 300
MAX_HTML_DEPTH = 256  # real pages nest a few dozen elements deep
MAX_ARTICLES = 3_000
MAX_SECONDS_PER_FILE = 20.0
_CHUNK = 1024 * 1024
# Elements that never or only optionally close: not counted in the nesting depth.
_UNNESTED_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "option",
        "optgroup",
        "thead",
        "tbody",
        "tfoot",
        "colgroup",
        "rp",
        "rt",
    ]
)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


class Budget:
    """The time one file may take to read and parse; ``check`` refuses it by name once spent."""

    def __init__(self, path: Path, seconds: float = MAX_SECONDS_PER_FILE) -> None:
        self.path = path
        self.seconds = seconds
        self._deadline = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self._deadline:
            raise CorpusError(
                f"{self.path}: 处理时间超过上限 {self.seconds:.0f} 秒（time budget per file exceeded）"
            )


def check_file_size(path: Path) -> None:
    """Refuse a file larger than MAX_FILE_BYTES, naming the file and the limit."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise CorpusError(f"{path}: 文件过大 {_mb(size)}，上限 {_mb(MAX_FILE_BYTES)}（file too large）")


def check_docx_members(path: Path, budget: Budget) -> None:
    """Refuse a .docx whose parts inflate beyond MAX_UNCOMPRESSED_BYTES: first by its zip directory, then
    by decompressing every part a megabyte at a time and counting the bytes that really come out (zip
    headers may lie), so memory stays bounded whatever the file claims."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            declared = sum(member.file_size for member in members)
            if declared > MAX_UNCOMPRESSED_BYTES:
                raise CorpusError(
                    f"{path}: 解压后大小 {_mb(declared)} 超过上限 {_mb(MAX_UNCOMPRESSED_BYTES)}"
                    "（uncompressed size too large）"
                )
            total = 0
            for member in members:
                counted = copy.copy(member)
                counted.file_size = MAX_UNCOMPRESSED_BYTES + 1  # read what is there, not what is declared
                with archive.open(counted) as stream:
                    while chunk := stream.read(_CHUNK):
                        total += len(chunk)
                        if total > MAX_UNCOMPRESSED_BYTES:
                            raise CorpusError(
                                f"{path}: 解压后大小超过上限 {_mb(MAX_UNCOMPRESSED_BYTES)}，与 zip 头声明的 "
                                f"{_mb(declared)} 不符（uncompressed size too large, zip headers lie）"
                            )
                        budget.check()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise CorpusError(f"{path}: 无法读取 Word 文档（not a valid .docx）: {exc}") from exc


def check_html_depth(path: Path, text: str, budget: Budget) -> None:
    """Refuse HTML nested deeper than MAX_HTML_DEPTH (scanned by the standard library's streaming parser,
    stopping at the first element too deep), before a tree is built from it."""
    scanner = _DepthScanner()
    for start in range(0, len(text), _CHUNK):
        scanner.feed(text[start : start + _CHUNK])
        if scanner.too_deep_at:
            raise CorpusError(
                f"{path}:{scanner.too_deep_at}: HTML 嵌套超过 {MAX_HTML_DEPTH} 层（nested too deep）"
            )
        budget.check()


class _DepthScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.depth = 0
        self.too_deep_at = 0  # the line of the first element too deep

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _UNNESTED_TAGS or self.too_deep_at:
            return
        self.depth += 1
        if self.depth > MAX_HTML_DEPTH:
            self.too_deep_at = self.getpos()[0]

    def handle_endtag(self, tag: str) -> None:
        if tag not in _UNNESTED_TAGS:
            self.depth = max(0, self.depth - 1)


def check_lines(path: Path, lines: list[str]) -> None:
    """Refuse a document of more than MAX_LINES paragraphs or with a paragraph over MAX_LINE_CHARS."""
    if len(lines) > MAX_LINES:
        raise CorpusError(f"{path}: 段落数 {len(lines)} 超过上限 {MAX_LINES}（too many paragraphs）")
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise CorpusError(
                f"{path}:{number}: 一行 {len(line)} 字，超过上限 {MAX_LINE_CHARS} 字（line too long）"
            )


def check_articles(path: Path, count: int) -> None:
    """Refuse a document of more than MAX_ARTICLES articles."""
    if count > MAX_ARTICLES:
        raise CorpusError(f"{path}: 条文数 {count} 超过上限 {MAX_ARTICLES}（too many articles）")
