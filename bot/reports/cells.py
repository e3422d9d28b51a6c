"""Spreadsheet cells that cannot run (OWASP CSV injection): text starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return is prefixed with ``'``, and XLSX text cells are always written as text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.cell.cell import TYPE_STRING
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """``value`` as a spreadsheet may show it: text that a spreadsheet would read as a formula gets a
    leading ``'``; numbers, dates and other text stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_row(row: Iterable[Any]) -> list[Any]:
    return [inert(value) for value in row]


def append_inert(sheet: Worksheet, row: Sequence[Any]) -> None:
    """Append ``row`` to ``sheet`` with every text cell stored as text (never as a formula)."""
    sheet.append(inert_row(row))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = TYPE_STRING
