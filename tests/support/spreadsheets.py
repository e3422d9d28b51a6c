"""Hostile spreadsheets for the upload and import tests."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

ROW_XML = '<row><c t="inlineStr"><is><t>康源实验动物技术有限公司</t></is></c></row>'.encode()


def bomb_xlsx(unpacked_mb: int) -> bytes:
    """A real workbook whose sheet unpacks to ``unpacked_mb`` MB of rows (a small download)."""
    workbook = Workbook()
    workbook.active.append(["单位名称", "统一社会信用代码", "领域"])
    plain = io.BytesIO()
    workbook.save(plain)
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out,
    ):
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item, source.read(item))
                continue
            with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                )
                chunk = ROW_XML * 10_000
                for _ in range(unpacked_mb * 1024 * 1024 // len(chunk)):
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return bomb.getvalue()
