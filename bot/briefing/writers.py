"""Writing a briefing outline as Word (real headings, tables, a QR code, Chinese fonts) or Markdown."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path

import segno
from docx.document import Document
from docx.shared import Cm, Pt

from bot.briefing.outline import Block
from bot.reports import word

SUFFIXES = (".docx", ".md")
BODY_PT = 10.5
SMALL_PT = 9.0
HANDOUT_PT = 10.0
MARGINS_CM = 2.0
HANDOUT_MARGINS_CM = 1.8
QR_CM = 2.6
HEADING_PT = {"Title": 16, "Heading 1": 12, "Heading 2": 10.5}


def write(blocks: Sequence[Block], out: Path, compact: bool = False) -> Path:
    """Write ``blocks`` to ``out`` (``.docx`` or ``.md``, chosen by the suffix); ``compact``: the handout's
    type size and margins."""
    if out.suffix.lower() == ".docx":
        return _docx(blocks, out, compact)
    return _markdown(blocks, out)


def _tight(document: Document, body_pt: float) -> None:
    """Body and headings in small sizes with little space around them: the papers must keep to their pages."""
    document.styles["Normal"].font.size = Pt(body_pt)
    document.styles["Normal"].paragraph_format.space_after = Pt(2)
    document.styles["Normal"].paragraph_format.line_spacing = 1.0
    for name, size in HEADING_PT.items():
        style = document.styles[name]
        style.font.size = Pt(size)
        style.paragraph_format.space_before = Pt(6 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(3)


def _docx(blocks: Sequence[Block], out: Path, compact: bool) -> Path:
    document = word.new_document(margins_cm=HANDOUT_MARGINS_CM if compact else MARGINS_CM)
    _tight(document, HANDOUT_PT if compact else BODY_PT)
    for block in blocks:
        if block.kind == "title":
            document.add_heading(block.text, level=0)
        elif block.kind == "heading1":
            document.add_heading(block.text, level=1)
        elif block.kind == "heading2":
            document.add_heading(block.text, level=2)
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        elif block.kind == "small":
            document.add_paragraph().add_run(block.text).font.size = Pt(SMALL_PT)
        elif block.kind == "table":
            word.add_table(
                document,
                block.header,
                block.rows,
                block.widths_cm or None,
                font_pt=SMALL_PT,
                no_wrap=block.no_wrap,
            )
        else:
            image = io.BytesIO()
            segno.make(block.text, error="m").save(image, kind="png", scale=4, border=1)
            image.seek(0)
            document.add_picture(image, width=Cm(QR_CM))
    return word.save(document, out)


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _markdown(blocks: Sequence[Block], out: Path) -> Path:
    lines: list[str] = []
    for block in blocks:
        if block.kind == "title":
            lines += [f"# {block.text}", ""]
        elif block.kind == "heading1":
            lines += [f"## {block.text}", ""]
        elif block.kind == "heading2":
            lines += [f"### {block.text}", ""]
        elif block.kind in ("paragraph", "small"):
            lines += [block.text, ""]
        elif block.kind == "table":
            header = block.header or ("",) * len(block.rows[0])
            lines.append("| " + " | ".join(_cell(h) for h in header) + " |")
            lines.append("|" + "---|" * len(header))
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
            lines.append("")
        else:
            lines += [f"[{block.text}]({block.text})", ""]
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    partial.write_text("\n".join(lines), encoding="utf-8")
    os.replace(partial, out)
    return out
