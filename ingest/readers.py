"""Turn a source file (.md, .txt, .docx, .html) into text lines, decoding Chinese encodings."""

from __future__ import annotations

from pathlib import Path

from ingest.limits import Budget, check_docx_members, check_file_size, check_html_depth, check_lines
from knowledge.errors import CorpusError

_BLOCK_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "div", "td", "br", "tr")


def decode(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK and GB2312)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            line = data.count(b"\n", 0, utf8_error.start) + 1
            raise CorpusError(
                f"{path}:{line}: 无法识别的文字编码，既不是 UTF-8 也不是 GBK/GB18030"
                "（unknown text encoding: save the file as UTF-8）"
            ) from utf8_error


def read_lines(path: Path, budget: Budget | None = None) -> list[str]:
    """The file's text as lines; headings and paragraphs of .docx/.html become lines.

    Limits (ingest/limits.py) are checked first or while reading, within ``budget`` (one file's time);
    an unreadable file is a CorpusError naming it.
    """
    budget = budget or Budget(path)
    try:
        check_file_size(path)
        suffix = path.suffix.lower()
        if suffix == ".docx":
            check_docx_members(path, budget)
            lines = _docx_lines(path)
        elif suffix in (".html", ".htm"):
            lines = _html_lines(path, budget)
        else:
            lines = decode(path.read_bytes(), path).splitlines()
    except OSError as exc:
        raise CorpusError(f"{path}: 无法读取文件（unreadable file）: {exc.strerror or exc}") from exc
    check_lines(path, lines)
    budget.check()
    return lines


def _docx_lines(path: Path) -> list[str]:
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a damaged file
        raise CorpusError(f"{path}: 无法读取 Word 文档（not a valid .docx）: {exc}") from exc
    return [paragraph.text for paragraph in document.paragraphs]


def _html_lines(path: Path, budget: Budget) -> list[str]:
    from bs4 import BeautifulSoup, UnicodeDammit

    data = path.read_bytes()
    declares_charset = b"charset" in data[:4096].lower()
    markup: str | bytes = data
    if declares_charset:  # BeautifulSoup decodes it as declared; the depth scan reads it the same way
        text = UnicodeDammit(data, is_html=True).unicode_markup or ""
    else:
        markup = text = decode(data, path)
    check_html_depth(path, text, budget)
    soup = BeautifulSoup(markup, "html.parser")
    title_tag = soup.find("h1") or soup.find("title")
    title = title_tag.get_text(strip=True) if title_tag else ""
    for tag in soup(["script", "style", "head", "h1"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_after("\n")
    return [title, *soup.get_text().splitlines()]
