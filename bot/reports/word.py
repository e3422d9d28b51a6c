"""Word (.docx) building blocks shared by every document pufa writes: Chinese fonts, headings, tables.

Documents use real Word headings (``Heading 1``/``Heading 2`` styles), real tables and page breaks, and name
an East Asian font for every style so Chinese renders in Word and LibreOffice alike.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

from docx import Document as new_docx
from docx.document import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table

EAST_ASIAN_FONT = "宋体"  # SimSun on Chinese Windows; LibreOffice substitutes an installed CJK font
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
ZIP_DATE = (
    1980,
    1,
    1,
    0,
    0,
    0,
)  # the earliest date a zip entry holds: written files do not depend on the clock


def _set_fonts(style: object, east_asian: str, size: float | None = None) -> None:
    font = style.font  # type: ignore[attr-defined]
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    r_pr = style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)


def new_document(margins_cm: float = 2.2) -> Document:
    """An A4 document whose body text and headings name Chinese fonts."""
    document = new_docx()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Cm(margins_cm))
    _set_fonts(document.styles["Normal"], EAST_ASIAN_FONT, 11)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 13), ("Heading 3", 12)):
        _set_fonts(document.styles[name], HEADING_FONT, size)
    return document


def add_table(
    document: Document,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths_cm: Sequence[float] | None = None,
    font_pt: float | None = None,
    no_wrap: Sequence[int] = (),
) -> Table:
    """A bordered table with a bold header row (none when ``header`` is empty); ``widths_cm`` fixes the
    column widths, ``font_pt`` the type size, and the columns numbered in ``no_wrap`` (from 0) keep each
    cell on one line."""
    table = document.add_table(rows=1 if header else 0, cols=len(header) or len(rows[0]))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells if header else (), header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(title)).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)
    if widths_cm:
        table.autofit = False
        for column, width in zip(table.columns, widths_cm, strict=True):
            column.width = Cm(width)  # the grid LibreOffice lays out by
            for cell in column.cells:  # the cell widths Word lays out by
                cell.width = Cm(width)
    for row_cells in table.rows:
        for index, cell in enumerate(row_cells.cells):
            if font_pt is not None:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(font_pt)
            if index in no_wrap:
                cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))
    return table


def page_break(document: Document) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def save(document: Document, out: Path) -> Path:
    """Write ``out`` atomically (a partial file never replaces a good one) and reproducibly: the same document
    gives the same bytes whenever it is written (the zip entries carry a fixed date, not the clock's)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    built = io.BytesIO()
    document.save(built)
    partial = out.with_name(out.name + ".part")
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(entry.filename))
    os.replace(partial, out)
    return out
