"""Reading the bureau's spreadsheets (CSV in UTF-8 or GBK, or XLSX): a header row, then one record a row.

Rows keep their line number (the header is usually line 1) so every rejection can name its line. Sizes
are checked before parsing (an XLSX by the bytes its zip really unpacks to, counted while streaming, not
by what its headers claim) and rows are counted while they are read, so a hostile file costs seconds.
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
from bot.settings import Settings

Cell = str | int | float | date | datetime | time | None


@dataclass(frozen=True)
class Column:
    """A column the import understands: its key, the header names accepted, whether it must be present."""

    key: str
    names: tuple[str, ...]
    required: bool = False


@dataclass(frozen=True)
class SheetLimits:
    """The largest spreadsheet read: its bytes, what an XLSX unpacks to, and its data rows."""

    max_bytes: int = 5 * 1024 * 1024
    max_rows: int = 20_000
    unpack_ratio: int = 20  # an XLSX may unpack to this many times ``max_bytes``

    @classmethod
    def of(cls, settings: Settings) -> SheetLimits:
        return cls(settings.upload_max_bytes, settings.upload_max_rows)

    @property
    def max_unpacked_bytes(self) -> int:
        return self.max_bytes * self.unpack_ratio


def check_size(name: str, content: bytes, limits: SheetLimits) -> None:
    """RecordsError when the file, or what its zip really unpacks to, is over the limits."""
    if len(content) > limits.max_bytes:
        raise RecordsError(
            text("sheet.too_large", name=name, size=len(content) // 1024, limit=limits.max_bytes // 1024)
        )
    if Path(name).suffix.lower() != ".xlsx":
        return
    unpacked = 0
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            for member in package.infolist():
                with package.open(member) as stream:
                    while chunk := stream.read(1 << 16):
                        unpacked += len(chunk)
                        if unpacked > limits.max_unpacked_bytes:
                            raise RecordsError(
                                text(
                                    "sheet.unpacks_too_large",
                                    name=name,
                                    limit=limits.max_unpacked_bytes // (1024 * 1024),
                                )
                            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError):
        raise RecordsError(text("sheet.xlsx_broken", name=name)) from None


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

    def summary(self, partial_flag: str = "--partial", undo_command: str = "") -> str:
        """The counts in one sentence. ``partial_flag`` is how the user asks for the good rows only;
        ``undo_command`` (with ``{batch}``) how to undo the batch."""
        if not self.applied:
            return text(
                "sheet.summary_refused", accepted=len(self.accepted), rejected=len(self.rejected), flag=partial_flag
            )
        summary = text(
            "sheet.summary_applied",
            added=self.added,
            existing=self.updated + self.unchanged,
            updated=self.updated,
            rejected=len(self.rejected),
        )
        if self.batch is not None and undo_command and (self.added or self.updated):
            summary += text("sheet.undo_hint", batch=self.batch, command=undo_command.format(batch=self.batch))
        return summary

    def _lines(self, shown: int | None) -> list[str]:
        lines = []
        accepted_header = "sheet.accepted_header" if self.applied else "sheet.waiting_header"
        for header, entries in ((accepted_header, self.accepted), ("sheet.rejected_header", self.rejected)):
            if entries:
                lines.append(text(header))
                lines += [text("sheet.line", line=line, message=message) for line, message in entries[:shown]]
        return lines

    def brief(self, shown: int, partial_flag: str = "--partial", undo_command: str = "") -> tuple[str, bool]:
        """The counts and the first ``shown`` accepted and rejected lines; True when the full list has more."""
        lines = [self.summary(partial_flag, undo_command), *self._lines(shown)]
        return "\n".join(lines), len(self.rejected) > shown or len(self.accepted) > shown

    def render(self, partial_flag: str = "--partial", undo_command: str = "") -> str:
        """The report as plain Chinese text: the counts, then each accepted line, then each rejected one."""
        return "\n".join([self.summary(partial_flag, undo_command), *self._lines(None)])


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


def _rows(name: str, content: bytes, limits: SheetLimits) -> Iterator[tuple[int, list[str]]]:
    """The non-empty rows of the spreadsheet ``name`` (CSV or XLSX by its suffix) as text cells; RecordsError
    as soon as the file is over ``limits`` (the header row is not counted)."""
    check_size(name, content, limits)
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(name, content)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(name, content)
    else:
        raise RecordsError(text("sheet.format", name=name))
    count = 0
    for line, raw in rows:
        cells = [_cell(value) for value in raw]
        if any(cells):
            count += 1
            if count > limits.max_rows + 1:
                raise RecordsError(text("sheet.too_many_rows", name=name, limit=limits.max_rows))
            yield line, cells


def read_sheet(
    name: str, content: bytes, columns: tuple[Column, ...], limits: SheetLimits | None = None
) -> list[SheetRow]:
    """The data rows of the spreadsheet ``name`` keyed by column.

    RecordsError (naming the file, and the line or column) when the file cannot be read, has no
    header row or lacks a required column. Empty rows are skipped.
    """
    header: dict[int, str] | None = None
    found: list[SheetRow] = []
    for line, cells in _rows(name, content, limits or SheetLimits()):
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


def sheet_columns(
    name: str, content: bytes, columns: tuple[Column, ...], limits: SheetLimits | None = None
) -> set[str]:
    """The keys of ``columns`` present in the header row (to tell one kind of sheet from another)."""
    for line, cells in _rows(name, content, limits or SheetLimits()):
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
