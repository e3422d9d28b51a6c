"""Writing a briefing outline as Word (real headings, tables, page breaks, Chinese fonts) or Markdown."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from docx.shared import Pt

from bot.briefing.outline import Block
from bot.reports import word

SUFFIXES = (".docx", ".md")
HANDOUT_FONT_PT = 10.5


def write(blocks: Sequence[Block], out: Path, compact: bool = False) -> Path:
    """Write ``blocks`` to ``out`` (``.docx`` or ``.md``, chosen by the suffix); ``compact``: handout type size."""
    if out.suffix.lower() == ".docx":
        return _docx(blocks, out, compact)
    return _markdown(blocks, out)


def _docx(blocks: Sequence[Block], out: Path, compact: bool) -> Path:
    document = word.new_document(margins_cm=2.0 if compact else 2.2)
    if compact:
        document.styles["Normal"].font.size = Pt(HANDOUT_FONT_PT)
    for block in blocks:
        if block.kind == "title":
            document.add_heading(block.text, level=0)
        elif block.kind == "heading1":
            document.add_heading(block.text, level=1)
        elif block.kind == "heading2":
            document.add_heading(block.text, level=2)
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        elif block.kind == "table":
            word.add_table(document, block.header, block.rows, block.widths_cm or None)
        else:
            word.page_break(document)
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
        elif block.kind == "paragraph":
            lines += [block.text, ""]
        elif block.kind == "table":
            lines.append("| " + " | ".join(_cell(h) for h in block.header) + " |")
            lines.append("|" + "---|" * len(block.header))
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
            lines.append("")
        else:
            lines += ["---", ""]
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    partial.write_text("\n".join(lines), encoding="utf-8")
    os.replace(partial, out)
    return out
