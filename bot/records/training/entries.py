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
    inspector: object, day: object, hours: object, kind: object, topic: object = "", score: object = None
) -> TrainingEntry:
    """A checked entry; TrainingError naming the first bad field."""
    name = str(inspector or "").strip()
    if not name or len(name) > 100:
        raise TrainingError(text("errors.inspector"))
    kind_text = str(kind or "").strip()
    if kind_text not in kinds():
        raise TrainingError(text("errors.kind", value=kind_text, kinds="、".join(kinds())))
    topic_text = str(topic or "").strip()
    if topic_text and topic_text not in topic_names():
        raise TrainingError(text("errors.topic", value=topic_text, topics="、".join(topic_names())))
    has_score = score is not None and str(score).strip() != ""
    return TrainingEntry(
        inspector=name,
        day=_date(day),
        hours=_number(hours, "errors.hours", 0.0, MAX_HOURS, low_open=True),
        kind=kind_text,
        topic=topic_text,
        score=_number(score, "errors.score", 0.0, 100.0, low_open=False) if has_score else None,
    )


def read_entries(path: Path) -> list[TrainingEntry]:
    """Every row of ``path`` as an entry; TrainingError listing each bad row by line when any is bad."""
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
    entries: list[TrainingEntry] = []
    problems: list[str] = []
    for row in rows:
        fields = {key: row.get(key) or None for key in names.values()}
        try:
            entries.append(make_entry(**fields))
        except TrainingError as error:
            problems.append(text("errors.row", path=path.name, line=row.line, problem=error))
    if problems:
        raise TrainingError(text("errors.rows", path=path, count=len(problems), lines="\n".join(problems)))
    return entries
