"""One training entry, checked field by field (Chinese message naming the field), from the CLI or a
spreadsheet row; and reading a CSV/XLSX file into entries, all rows or none."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.records.sheets import Column, read_sheet
from bot.records.training.messages import text, value
from knowledge.errors import PufaError
from knowledge.quiz.topics import topic_names

MAX_HOURS = 24.0


class TrainingError(PufaError):
    """A training entry or file that cannot be stored; the message names the field or line."""


@dataclass(frozen=True)
class TrainingEntry:
    inspector: str
    day: date
    hours: float
    kind: str
    topic: str = ""
    score: float | None = None


def kinds() -> list[str]:
    return list(value("records.kinds"))


def parse_kind(raw: object) -> str:
    """The kind named by ``raw`` (a kind or a common other name, e.g. 自学 → 自学/练习); TrainingError
    listing the accepted ones otherwise."""
    written = str(raw or "").strip()
    kind = written if written in kinds() else value("records.kind_synonyms").get(written)
    if kind is None:
        accepted = [*kinds(), *value("records.kind_synonyms")]
        raise TrainingError(text("errors.kind", value=written, kinds="、".join(accepted)))
    return str(kind)


def _date(raw: object) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise TrainingError(text("errors.date", value=raw)) from None


def _number(raw: object, key: str, low: float, high: float, low_open: bool) -> float:
    try:
        number = float(str(raw).strip())
    except ValueError:
        raise TrainingError(text(key, value=raw)) from None
    if not math.isfinite(number) or number > high or number < low or (low_open and number == low):
        raise TrainingError(text(key, value=raw))
    return number


def make_entry(
    inspector: object,
    day: object,
    hours: object,
    kind: object,
    topic: object = "",
    score: object = None,
    *,
    today: date,
) -> TrainingEntry:
    """A checked entry (not later than ``today``); TrainingError naming the first bad field."""
    name = str(inspector or "").strip()
    if not name or len(name) > 100:
        raise TrainingError(text("errors.inspector"))
    kind_text = parse_kind(kind)
    topic_text = str(topic or "").strip()
    if topic_text and topic_text not in topic_names():
        raise TrainingError(text("errors.topic", value=topic_text, topics="、".join(topic_names())))
    has_score = score is not None and str(score).strip() != ""
    when = _date(day)
    if when > today:
        raise TrainingError(text("errors.future", value=when.isoformat()))
    return TrainingEntry(
        inspector=name,
        day=when,
        hours=_number(hours, "errors.hours", 0.0, MAX_HOURS, low_open=True),
        kind=kind_text,
        topic=topic_text,
        score=_number(score, "errors.score", 0.0, 100.0, low_open=False) if has_score else None,
    )


@dataclass(frozen=True)
class SheetEntries:
    """The rows of a training sheet: the good ones as entries, the bad ones as Chinese problems, by line."""

    entries: list[tuple[int, TrainingEntry]]
    problems: list[tuple[int, str]]


def read_entries(path: Path, today: date) -> SheetEntries:
    """Every row of ``path`` (CSV in UTF-8, UTF-8 with BOM or GBK, or XLSX) checked; TrainingError when
    the file itself cannot be read."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise TrainingError(text("errors.file_type", path=path))
    try:
        content = path.read_bytes()
    except OSError:
        raise TrainingError(text("errors.file_missing", path=path)) from None
    names: dict[str, str] = value("records.columns")
    required = set(value("records.required_columns"))
    columns = tuple(Column(key, (name,), name in required) for name, key in names.items())
    rows = read_sheet(path.name, content, columns)
    if not rows:
        raise TrainingError(text("errors.empty_file", path=path))
    found = SheetEntries([], [])
    for row in rows:
        fields = {key: row.get(key) or None for key in names.values()}
        try:
            found.entries.append((row.line, make_entry(**fields, today=today)))
        except TrainingError as error:
            found.problems.append((row.line, str(error)))
    return found
