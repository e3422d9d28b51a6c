"""Reading the bureau's spreadsheets (CSV in UTF-8 or GBK, or XLSX): a header row, then one record a row.

Rows keep their line number (the header is usually line 1) so every rejection can name its line.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from bot.records.errors import RecordsError
from bot.records.messages import text

Cell = str | int | float | date | datetime | time | None


@dataclass(frozen=True)
class Column:
    """A column the import understands: its key, the header names accepted, whether it must be present."""

    key: str
    names: tuple[str, ...]
    required: bool = False


@dataclass(frozen=True)
class SheetRow:
    line: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class ImportReport:
    """What an import did, by line: ``accepted`` rows (with what happened to each), ``rejected`` rows
    (with why). ``applied`` is False when nothing was stored; ``batch`` numbers an applied import."""

    accepted: list[tuple[int, str]] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    applied: bool = False
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    batch: int | None = None

    def render(self, partial_flag: str = "--partial", undo_command: str = "") -> str:
        """The report as plain Chinese text: the counts, then each accepted line, then each rejected one.

        ``partial_flag`` is how the user asks for the good rows only; ``undo_command`` (with ``{batch}``)
        how to undo the batch."""
        if self.applied:
            summary = text(
                "sheet.summary_applied",
                added=self.added,
                existing=self.updated + self.unchanged,
                updated=self.updated,
                rejected=len(self.rejected),
            )
            if self.batch is not None and undo_command and (self.added or self.updated):
                summary += text("sheet.undo_hint", batch=self.batch, command=undo_command.format(batch=self.batch))
        else:
            summary = text(
                "sheet.summary_refused", accepted=len(self.accepted), rejected=len(self.rejected), flag=partial_flag
            )
        lines = [summary]
        if self.accepted:
            lines.append(text("sheet.accepted_header" if self.applied else "sheet.waiting_header"))
            lines += [text("sheet.line", line=line, message=message) for line, message in self.accepted]
        if self.rejected:
            lines.append(text("sheet.rejected_header"))
            lines += [text("sheet.line", line=line, message=message) for line, message in self.rejected]
        return "\n".join(lines)


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if value.time() == time() else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(name: str, content: bytes) -> Iterator[tuple[int, list[Cell]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            decoded = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        reader = csv.reader(io.StringIO(decoded, newline=""))
        try:
            for row in reader:
                yield reader.line_num, list(row)
        except csv.Error as error:
            raise RecordsError(
                text("sheet.csv_broken", name=name, line=reader.line_num, reason=error)
            ) from None
        return
    raise RecordsError(text("sheet.encoding", name=name))


def _xlsx_rows(name: str, content: bytes) -> Iterator[tuple[int, list[Cell]]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise RecordsError(text("sheet.xlsx_broken", name=name)) from None
    try:
        sheet = workbook.worksheets[0]
        for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, list(row)
    finally:
        workbook.close()


def _rows(name: str, content: bytes) -> Iterator[tuple[int, list[str]]]:
    """The non-empty rows of the spreadsheet ``name`` (CSV or XLSX by its suffix) as text cells."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(name, content)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(name, content)
    else:
        raise RecordsError(text("sheet.format", name=name))
    for line, raw in rows:
        cells = [_cell(value) for value in raw]
        if any(cells):
            yield line, cells


def read_sheet(name: str, content: bytes, columns: tuple[Column, ...]) -> list[SheetRow]:
    """The data rows of the spreadsheet ``name`` keyed by column.

    RecordsError (naming the file, and the line or column) when the file cannot be read, has no
    header row or lacks a required column. Empty rows are skipped.
    """
    header: dict[int, str] | None = None
    found: list[SheetRow] = []
    for line, cells in _rows(name, content):
        if header is None:
            header = _header(name, line, cells, columns)
            if missing := [c.names[0] for c in columns if c.required and c.key not in header.values()]:
                raise RecordsError(
                    text("sheet.missing_columns", name=name, line=line, columns="、".join(missing))
                )
            continue
        found.append(SheetRow(line, {key: cells[i] if i < len(cells) else "" for i, key in header.items()}))
    if header is None:
        raise RecordsError(text("sheet.empty", name=name))
    return found


def sheet_columns(name: str, content: bytes, columns: tuple[Column, ...]) -> set[str]:
    """The keys of ``columns`` present in the header row (to tell one kind of sheet from another)."""
    for line, cells in _rows(name, content):
        return set(_header(name, line, cells, columns).values())
    raise RecordsError(text("sheet.empty", name=name))


def _header(name: str, line: int, cells: list[str], columns: tuple[Column, ...]) -> dict[int, str]:
    """Column index → key for the header row (unknown headers ignored)."""
    wanted = {alias: column.key for column in columns for alias in column.names}
    header: dict[int, str] = {}
    for index, cell in enumerate(cells):
        key = wanted.get("".join(cell.split()).strip("*＊"))
        if key is not None and key not in header.values():
            header[index] = key
    return header
