"""The year's sessions written as CSV (UTF-8 with BOM, for Excel) or XLSX; no cell can run as a formula."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from openpyxl import Workbook

from bot.records.messages import items, text
from bot.records.reports.rows import Row
from bot.reports.cells import append_inert, inert_row


def write(rows: list[Row], fmt: str, out: Path, year: int) -> Path:
    """Write ``rows`` under the Chinese header to ``out`` atomically."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    header = items("export.headers")
    if fmt == "csv":
        with open(partial, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(inert_row(header))
            writer.writerows(inert_row(row) for row in rows)
    else:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = text("export.sheet", year=year)
        append_inert(sheet, header)
        for row in rows:
            append_inert(sheet, row)
        sheet.freeze_panes = "A2"
        for column, width in zip(
            "ABCDEFGHIJKLMNO", (8, 6, 28, 22, 17, 17, 14, 14, 8, 8, 10, 40, 20, 24, 24), strict=True
        ):
            sheet.column_dimensions[column].width = width
        workbook.save(partial)
    os.replace(partial, out)
    return out
