"""Find and read the source documents of a corpus folder: manifest entries and the bureau's own files."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.limits import Budget, check_articles
from ingest.readers import read_lines
from ingest.structure import ParsedText, parse_lines
from knowledge.errors import CorpusError
from knowledge.law.catalog import MANIFEST_NAME, Catalog, load_manifest, read_fields
from knowledge.models import Document

SOURCE_SUFFIXES = (".md", ".txt", ".docx", ".html", ".htm")
SIDECAR_SUFFIX = ".meta.toml"


@dataclass(frozen=True)
class SourceDocument:
    """One document with its catalog entry and parsed text."""

    document: Document
    parsed: ParsedText
    path: Path


@dataclass
class Corpus:
    """All documents of a folder, ready to index, and the warnings found on the way."""

    catalog: Catalog
    sources: list[SourceDocument]
    warnings: list[str] = field(default_factory=list)


def load_corpus(corpus_dir: Path) -> Corpus:
    """Read and parse every document; raise CorpusError (file and line) on the first bad input."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir}: 目录不存在（corpus directory not found）")
    manifest = load_manifest(corpus_dir) if (corpus_dir / MANIFEST_NAME).is_file() else Catalog(())
    listed = {doc.file for doc in manifest.documents}
    for doc in manifest.documents:
        if not (corpus_dir / doc.file).is_file():
            manifest_path = corpus_dir / MANIFEST_NAME
            line = _line_of(manifest_path, rf"file\s*=.*{re.escape(doc.file)}")
            raise CorpusError(
                f"{manifest_path}:{line}: 文档 {doc.id} 的文件不存在（file missing）: {corpus_dir / doc.file}"
            )
    candidates = sorted(
        path
        for path in corpus_dir.iterdir()
        if path.suffix.lower() in SOURCE_SUFFIXES
        and path.name not in listed
        and not path.name.startswith((".", "~$"))  # hidden files and Word's lock files
    )
    skipped = [f"{path}: {reason}" for path in candidates if (reason := _not_a_file(path))]
    extra = [path for path in candidates if path.is_file()]
    if not manifest.documents and not extra:
        raise CorpusError(f"{corpus_dir}: 目录中没有可导入的文档（no .md/.txt/.docx/.html documents）")
    sources = [_parse(corpus_dir / doc.file, doc) for doc in manifest.documents]
    sources += [_parse_local(path) for path in extra]
    ids = [source.document.id for source in sources]
    clashes = sorted({i for i in ids if ids.count(i) > 1})
    if clashes:
        raise CorpusError(f"{corpus_dir}: 文档 id 冲突（duplicate document ids）: {', '.join(clashes)}")
    catalog = Catalog(tuple(source.document for source in sources), manifest.missing)
    warnings = skipped + [
        f"{s.path}: 条文编号不连续，缺少（skipped article numbers）: "
        + "、".join(f"第{n}条" for n in s.parsed.skipped)
        for s in sources
        if s.parsed.skipped
    ]
    return Corpus(catalog, sources, warnings)


def _not_a_file(path: Path) -> str:
    """Why ``path`` is skipped (a symlink loop, a dangling link, a folder), or ``""`` for a file."""
    try:
        path.stat()
    except OSError as exc:
        if path.is_symlink():
            return f"符号链接无法解析，已跳过（broken symlink or loop: {exc.strerror}）"
        return f"无法读取，已跳过（unreadable: {exc.strerror}）"
    return "" if path.is_file() else "不是普通文件，已跳过（not a regular file）"


def _parsed(path: Path, doc_id: str) -> ParsedText:
    budget = Budget(path)
    parsed = parse_lines(read_lines(path, budget), doc_id, path, budget)
    check_articles(path, len(parsed.articles))
    return parsed


def _parse(path: Path, document: Document) -> SourceDocument:
    return SourceDocument(document, _parsed(path, document.id), path)


def local_id(path: Path) -> str:
    """A stable id from the file name: ``local-`` plus the stem with spaces and punctuation as dashes."""
    stem = re.sub(r"[\s()（）《》【】\[\],，、.。]+", "-", path.stem).strip("-")
    return f"local-{stem}"


def _parse_local(path: Path) -> SourceDocument:
    """A bureau document outside the manifest; metadata from ``NAME.meta.toml`` when present."""
    doc_id = local_id(path)
    parsed = _parsed(path, doc_id)
    meta = _sidecar(path)
    document = Document(
        id=doc_id,
        title=str(meta.pop("title", parsed.title)),
        file=path.name,
        **meta,
    )
    return SourceDocument(document, parsed, path)


def _sidecar(path: Path) -> dict[str, Any]:
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return {}
    try:
        data = tomllib.loads(sidecar.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{sidecar}: 元数据文件格式错误（malformed sidecar）: {exc}") from exc
    fixed = sorted({"id", "file"} & set(data))
    if fixed:
        raise CorpusError(f"{sidecar}: 未知字段 {'、'.join(fixed)}（id 与 file 由文件名决定）")
    return read_fields(Document, data, lambda name: f"{sidecar}:{_line_of(sidecar, _assignment(name))}")


def _line_of(path: Path, pattern: str) -> int:
    """The first line of ``path`` that starts with ``pattern`` (a regex), or 0."""
    lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    return next((n for n, line in enumerate(lines, 1) if re.match(pattern, line.strip())), 0)


def _assignment(key: str) -> str:
    return re.escape(key) + r"\s*="
