"""The catalog: ``manifest.toml`` documents, their versions and aliases, and the missing documents."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

from knowledge.errors import CorpusError
from knowledge.models import Document, MissingDocument

MANIFEST_NAME = "manifest.toml"


@dataclass(frozen=True)
class Catalog:
    """Every known document (with text) and every missing one (without)."""

    documents: tuple[Document, ...]
    missing: tuple[MissingDocument, ...] = ()

    def get(self, doc_id: str) -> Document | None:
        return next((doc for doc in self.documents if doc.id == doc_id), None)

    def newer_version(self, doc: Document) -> Document | None:
        """The latest other version of the same law in the corpus, if it is newer than ``doc``."""
        later = [
            other
            for other in self.documents
            if other.title == doc.title and other.id != doc.id and _key(other) > _key(doc)
        ]
        return max(later, key=_key, default=None)

    def competing_ids(self, as_of: date | None = None, domain: str | None = None) -> list[str]:
        """Document ids eligible for retrieval: one version per law, in force today or ``as_of``."""
        chosen: dict[str, Document] = {}
        for doc in self.documents:
            if domain and domain not in doc.domains:
                continue
            if as_of is not None and doc.effective and doc.effective > as_of:
                continue
            if as_of is None and doc.status != "current" and self.newer_version(doc):
                continue
            best = chosen.get(doc.title)
            if best is None or _key(doc) > _key(best):
                chosen[doc.title] = doc
        return [doc.id for doc in chosen.values()]

    def versions(self, title: str) -> list[Document]:
        """All versions of one law, oldest first."""
        return sorted((d for d in self.documents if d.title == title), key=_key)


def _key(doc: Document) -> date:
    return doc.version_date or doc.effective or doc.promulgated or date.min


def load_manifest(corpus_dir: Path) -> Catalog:
    """Read ``corpus_dir/manifest.toml``; errors name the file and, where known, the line."""
    path = corpus_dir / MANIFEST_NAME
    if not path.is_file():
        raise CorpusError(f"{path}: 找不到目录文件 manifest.toml（manifest not found）")
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: 不是 UTF-8 编码（not UTF-8）: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"{path}: 格式错误（malformed TOML）: {exc}") from exc
    text = raw.decode("utf-8-sig")
    unknown = sorted(set(data) - {"document", "missing"})
    if unknown:
        table = unknown[0]
        raise CorpusError(
            f"{path}:{_key_line(text, 1, table)}: 未知的表或字段 {table}"
            f"{_did_you_mean(table, ('document', 'missing'))}（unknown key）"
        )
    documents = tuple(
        _build(Document, entry, path, _entry_line(text, "document", i), required=("id", "file", "title"))
        for i, entry in enumerate(data.get("document", []))
    )
    missing = tuple(
        _build(MissingDocument, entry, path, _entry_line(text, "missing", i), required=("title",))
        for i, entry in enumerate(data.get("missing", []))
    )
    seen: set[str] = set()
    for doc in documents:
        if doc.id in seen:
            raise CorpusError(f"{path}: 文档 id 重复（duplicate id）: {doc.id}")
        seen.add(doc.id)
    return Catalog(documents, missing)


def _entry_line(text: str, table: str, index: int) -> int:
    starts = [m.start() for m in re.finditer(rf"^\[\[{table}\]\]", text, flags=re.M)]
    return text.count("\n", 0, starts[index]) + 1 if index < len(starts) else 0


def _key_line(text: str, start: int, name: str) -> int:
    """The line of the first ``name = …`` (or ``[name]``/``[[name]]``) at or after line ``start``."""
    pattern = re.compile(rf"^\s*(?:{re.escape(name)}\s*=|\[+\s*{re.escape(name)}\s*\]+)")
    lines = text.splitlines()
    return next((n for n in range(max(start, 1), len(lines) + 1) if pattern.match(lines[n - 1])), start)


def _did_you_mean(name: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"，是否应为 {close[0]}？" if close else ""


def _build(kind: type, entry: dict[str, Any], path: Path, line: int, required: tuple[str, ...]) -> Any:
    text = path.read_text(encoding="utf-8-sig")
    # A misspelled key is reported first: it also explains a "missing" required field.
    values = read_fields(kind, entry, lambda name: f"{path}:{_key_line(text, line, name)}")
    for name in required:
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise CorpusError(f"{path}:{line}: 缺少必填字段 {name}（missing field {name!r}）")
    return kind(**values)


LIST_FIELDS = ("aliases", "domains")
DATE_FIELDS = ("promulgated", "effective", "version_date")


def read_fields(kind: type, entry: dict[str, Any], where: Callable[[str], str]) -> dict[str, Any]:
    """The fields of dataclass ``kind`` in a TOML table, type-checked (the one reader of document metadata).

    ``where(name)`` locates a field (``file:line``) for the error message; unknown keys are errors.
    """
    known = tuple(f.name for f in fields(kind))
    for name in entry:
        if name not in known:
            raise CorpusError(
                f"{where(name)}: 未知字段 {name}{_did_you_mean(name, known)}（unknown field {name!r}）"
            )
    values: dict[str, Any] = {}
    for name, value in entry.items():
        problem = _type_problem(name, value)
        if problem:
            raise CorpusError(f"{where(name)}: 字段 {name} {problem}")
        values[name] = tuple(value) if name in LIST_FIELDS else value
    return values


def _type_problem(name: str, value: object) -> str:
    """What is wrong with a metadata value's type, or ``""``."""
    if name in LIST_FIELDS:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return "" if ok else "应为字符串列表（must be a list of strings）"
    if name in DATE_FIELDS:
        return "" if isinstance(value, date) else "应为日期 YYYY-MM-DD（must be a date）"
    return "" if isinstance(value, str) else "应为字符串（must be a string）"


def decode_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """Document metadata as stored in JSON (ISO dates, lists) back to the dataclass field types."""
    out = dict(raw)
    for name in DATE_FIELDS:
        if out.get(name):
            out[name] = date.fromisoformat(out[name])
    for name in LIST_FIELDS:
        if name in out:
            out[name] = tuple(out[name])
    return out
