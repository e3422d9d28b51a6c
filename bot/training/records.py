"""One training entry, checked field by field (Chinese message naming the field), from the CLI or a
spreadsheet row; and reading a CSV/XLSX file into entries, all rows or none."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.training.messages import text, value
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


def _rows(path: Path) -> list[tuple[int, list[object]]]:
    """(line number, cells) of every row, header first; empty rows left out."""
    try:
        if path.suffix.lower() == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                rows: list[tuple[int, list[object]]] = [(reader.line_num, list(cells)) for cells in reader]
        else:
            from openpyxl import load_workbook

            sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
            rows = [(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), start=1)]
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as error:
        raise TrainingError(text("errors.file_unreadable", path=path, reason=error)) from error
    return [(n, cells) for n, cells in rows if any(c is not None and str(c).strip() for c in cells)]


def read_entries(path: Path) -> list[TrainingEntry]:
    """Every row of ``path`` as an entry; TrainingError listing each bad row by line when any is bad."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise TrainingError(text("errors.file_type", path=path))
    if not path.is_file():
        raise TrainingError(text("errors.file_missing", path=path))
    rows = _rows(path)
    if len(rows) < 2:
        raise TrainingError(text("errors.empty_file", path=path))
    header = [str(c or "").strip() for c in rows[0][1]]
    columns: dict[str, str] = value("records.columns")
    for column in value("records.required_columns"):
        if column not in header:
            raise TrainingError(text("errors.header", path=path, column=column))
    where = {columns[name]: i for i, name in enumerate(header) if name in columns}
    entries: list[TrainingEntry] = []
    problems: list[str] = []
    for line, cells in rows[1:]:
        fields = {field: cells[i] if i < len(cells) else None for field, i in where.items()}
        try:
            entries.append(make_entry(**fields))
        except TrainingError as error:
            problems.append(text("errors.row", path=path.name, line=line, problem=error))
    if problems:
        raise TrainingError(text("errors.rows", path=path, count=len(problems), lines="\n".join(problems)))
    return entries
