"""Limits on source files, checked before anything large is read or decompressed.

A regulation is a few hundred kilobytes; these bounds are far above any real one and keep a hostile or
broken file (a 50 MB text, a .docx that inflates to gigabytes) from taking minutes and gigabytes of memory.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from knowledge.errors import CorpusError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_LINES = 100_000
MAX_ARTICLES = 3_000


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_file_size(path: Path) -> None:
    """Refuse a file larger than MAX_FILE_BYTES, naming the file and the limit."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise CorpusError(f"{path}: 文件过大 {_mb(size)}，上限 {_mb(MAX_FILE_BYTES)}（file too large）")


def check_docx_members(path: Path) -> None:
    """Refuse a .docx whose parts would inflate beyond MAX_UNCOMPRESSED_BYTES (read from the zip
    directory, before anything is decompressed)."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise CorpusError(f"{path}: 无法读取 Word 文档（not a valid .docx）: {exc}") from exc
    if total > MAX_UNCOMPRESSED_BYTES:
        raise CorpusError(
            f"{path}: 解压后大小 {_mb(total)} 超过上限 {_mb(MAX_UNCOMPRESSED_BYTES)}"
            "（uncompressed size too large）"
        )


def check_lines(path: Path, count: int) -> None:
    """Refuse a document of more than MAX_LINES paragraphs."""
    if count > MAX_LINES:
        raise CorpusError(f"{path}: 段落数 {count} 超过上限 {MAX_LINES}（too many paragraphs）")


def check_articles(path: Path, count: int) -> None:
    """Refuse a document of more than MAX_ARTICLES articles."""
    if count > MAX_ARTICLES:
        raise CorpusError(f"{path}: 条文数 {count} 超过上限 {MAX_ARTICLES}（too many articles）")
