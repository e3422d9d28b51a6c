"""Reading case files: ``*.toml`` with ``[[case]]`` tables, and ``.docx``/``.txt`` texts with a
``NAME.meta.toml`` sidecar (the text is the facts, the sidecar the other fields).

Every case is checked while its file is at hand: fields and types, unique ids, and that each ``today``
article exists in the corpus being indexed. The first problem raises CorpusError naming file and line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from knowledge.errors import CorpusError
from knowledge.models import ArticleRef, Case

SIDECAR_SUFFIX = ".meta.toml"
TEXT_SUFFIXES = (".docx", ".txt")
REQUIRED = ("id", "party", "facts", "penalty", "basis_then", "today", "lesson")
OPTIONAL = ("decided", "decided_note", "authority")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


@dataclass(frozen=True)
class _Block:
    """Where one case's fields are written: the file and its lines (1-based ``first``)."""

    path: Path
    lines: list[str]
    first: int

    def line_of(self, pattern: str) -> int:
        """The first line of the block matching ``pattern`` at its start (after spaces), else the block's first."""
        regex = re.compile(pattern)
        found = (n for n, line in enumerate(self.lines, self.first) if regex.match(line.strip()))
        return next(found, self.first)

    def fail(self, pattern: str, message: str) -> CorpusError:
        return CorpusError(f"{self.path}:{self.line_of(pattern)}: {message}")


def load_cases(folders: Iterable[Path], articles: Collection[ArticleRef]) -> list[Case]:
    """Every case of ``folders`` (missing folders are skipped), checked against ``articles``."""
    cases: list[Case] = []
    seen: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name.startswith((".", "~$")) or not path.is_file():
                continue
            if path.name.endswith(SIDECAR_SUFFIX):
                if not _text_of(path).is_file():
                    raise CorpusError(
                        f"{path}: 找不到对应的案例正文（.docx 或 .txt）（sidecar without a case text）"
                    )
                continue
            if path.suffix.lower() == ".toml":
                found = _toml_cases(path, articles)
            elif path.suffix.lower() in TEXT_SUFFIXES:
                found = [_text_case(path, articles)]
            else:
                continue
            for case in found:
                if case.id in seen:
                    raise CorpusError(
                        f"{path}: 案例编号 {case.id} 与 {seen[case.id]} 中的案例重复（duplicate case id）"
                    )
                seen[case.id] = path
            cases += found
    return cases


def _text_of(sidecar: Path) -> Path:
    """The case text a sidecar belongs to (``.docx`` preferred, else ``.txt``)."""
    stem = sidecar.name.removesuffix(SIDECAR_SUFFIX)
    docx = sidecar.with_name(stem + ".docx")
    return docx if docx.is_file() else sidecar.with_name(stem + ".txt")


def _parse_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+)", str(exc))
        raise CorpusError(
            f"{path}:{at.group(1) if at else 1}: TOML 格式错误（malformed TOML）: {exc}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: 文件须为 UTF-8 编码（file must be UTF-8）") from exc


def _toml_cases(path: Path, articles: Collection[ArticleRef]) -> list[Case]:
    data = _parse_toml(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    starts = [n for n, line in enumerate(lines) if line.strip() == "[[case]]"]
    raw_cases = data.get("case")
    unknown = sorted(set(data) - {"case"})
    if unknown or not isinstance(raw_cases, list) or len(raw_cases) != len(starts):
        raise CorpusError(
            f"{path}:1: 案例文件应由若干 [[case]] 表组成（expected [[case]] tables）"
            + (f"，未知键：{', '.join(unknown)}" if unknown else "")
        )
    bounds = [*starts, len(lines)]
    return [
        _case(raw, _Block(path, lines[bounds[i] : bounds[i + 1]], bounds[i] + 1), articles, "")
        for i, raw in enumerate(raw_cases)
    ]


def _text_case(path: Path, articles: Collection[ArticleRef]) -> Case:
    from ingest.readers import read_lines  # the same readers as the regulations

    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        raise CorpusError(f"{path}: 缺少元数据文件 {sidecar.name}（case text needs a sidecar）")
    raw = _parse_toml(sidecar)
    block = _Block(sidecar, sidecar.read_text(encoding="utf-8-sig").splitlines(), 1)
    if "facts" in raw:
        raise block.fail(
            r"facts\s*=", "案情写在正文文件中，元数据文件不应有 facts（facts come from the text）"
        )
    facts = "".join(line.strip() for line in read_lines(path) if line.strip())
    if not facts:
        raise CorpusError(f"{path}:1: 案例正文为空（empty case text）")
    return _case({**raw, "facts": facts}, block, articles, path.name)


def _case(raw: dict[str, Any], block: _Block, articles: Collection[ArticleRef], text_file: str) -> Case:
    """One case from its table; CorpusError at the offending line."""
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise block.fail(re.escape(unknown[0]) + r"\s*=", f"未知字段（unknown field）: {', '.join(unknown)}")
    for name in REQUIRED:
        if name not in raw:
            raise block.fail(r"\[\[case\]\]", f"缺少字段 {name}（missing field）")
    for name in ("id", "party", "facts", "basis_then", "lesson", "decided_note", "authority"):
        if name in raw and not (isinstance(raw[name], str) and raw[name].strip()):
            raise block.fail(name + r"\s*=", f"字段 {name} 应为非空字符串（must be a non-empty string）")
    if not _ID.fullmatch(raw["id"]):
        raise block.fail(r"id\s*=", "字段 id 只能由字母、数字和 - _ . 组成（invalid case id）")
    decided = raw.get("decided", "")
    if not isinstance(decided, str | date):
        raise block.fail(r"decided\s*=", "字段 decided 应为日期或字符串（must be a date or string）")
    penalty = raw["penalty"]
    if not (isinstance(penalty, list) and penalty and all(isinstance(p, str) and p for p in penalty)):
        raise block.fail(r"penalty\s*=", "字段 penalty 应为非空字符串列表（must be a list of strings）")
    return Case(
        id=raw["id"],
        party=raw["party"].strip(),
        facts=raw["facts"].strip(),
        penalty=tuple(penalty),
        basis_then=raw["basis_then"].strip(),
        today=_today(raw["today"], block, articles),
        lesson=raw["lesson"].strip(),
        decided=decided.isoformat() if isinstance(decided, date) else decided,
        decided_note=raw.get("decided_note", ""),
        authority=raw.get("authority", ""),
        source=text_file or block.path.name,
    )


def _today(raw: Any, block: _Block, articles: Collection[ArticleRef]) -> tuple[ArticleRef, ...]:
    shape = '字段 today 应为 [{doc = "文档id", article = 条号}, …]（must be a list of {doc, article}）'
    if not isinstance(raw, list) or not raw:
        raise block.fail(r"today\s*=", shape)
    refs: list[ArticleRef] = []
    for entry in raw:
        if not (
            isinstance(entry, dict)
            and set(entry) == {"doc", "article"}
            and isinstance(entry["doc"], str)
            and isinstance(entry["article"], int)
        ):
            raise block.fail(r"today\s*=", shape)
        ref = ArticleRef(entry["doc"], entry["article"])
        if ref not in articles:
            line = block.line_of(rf".*{re.escape(ref.doc_id)}.*article\s*=\s*{ref.article}\b")
            raise CorpusError(
                f"{block.path}:{line}: today 引用的条文不存在（article not in the corpus）: "
                f"{ref.doc_id} 第{ref.article}条"
            )
        refs.append(ref)
    return tuple(dict.fromkeys(refs))
