"""The training report as files: the PNG chart of hours against the requirement, and the XLSX sheet."""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from openpyxl import Workbook

from bot.records.training.messages import text, value
from bot.records.training.report import TrainingReport
from bot.reports.cells import append_inert
from bot.reports.chart import cjk_font


def write_training_chart(report: TrainingReport, path: Path) -> Path:
    """Stacked bars (recorded hours, quiz practice) per inspector, a line at the requirement; atomic."""
    font = cjk_font()
    people = report.inspectors
    figure = Figure(figsize=(max(6.0, 0.6 * len(people) + 3), 5), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = range(len(people))
    recorded = [s.recorded_hours for s in people]
    axes.bar(positions, recorded, color="#3b7dd8", label=text("report.chart_done"))
    axes.bar(
        positions,
        [s.quiz_hours for s in people],
        bottom=recorded,
        color="#e0823d",
        label=text("report.chart_quiz"),
    )
    required = report.required
    axes.axhline(
        required,
        color="#c0392b",
        linestyle="--",
        label=text("report.chart_required", required=f"{required:g}"),
    )
    axes.set_xticks(list(positions), [s.inspector for s in people], rotation=45, ha="right")
    axes.tick_params(labelfontfamily=font.get_family()[0])
    axes.set_title(
        text("report.chart_title", year=report.year, required=f"{required:g}"), fontproperties=font
    )
    axes.set_ylabel(text("report.chart_ylabel"), fontproperties=font)
    axes.legend(prop=font)
    axes.grid(axis="y", alpha=0.3)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    figure.savefig(partial, format="png")
    os.replace(partial, path)
    return path


def write_training_xlsx(report: TrainingReport, out: Path) -> Path:
    """One row per inspector under the Chinese header, written atomically."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = text("report.sheet", year=report.year)
    append_inert(sheet, value("report.headers"))
    for row in report.rows():
        append_inert(sheet, row)
    sheet.freeze_panes = "A2"
    partial = out.with_name(out.name + ".part")
    workbook.save(partial)
    os.replace(partial, out)
    return out
