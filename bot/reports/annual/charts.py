"""The annual report's coverage chart: registered and reached units by regulated domain (PNG, CJK labels)."""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.records.reports.figures import YearStats
from bot.records.reports.labels import domain_label
from bot.reports.chart import cjk_font
from knowledge.law.domains import REGULATED
from knowledge.templates import text


def write_coverage_chart(stats: YearStats, path: Path) -> Path:
    """Bars of registered and reached units per regulated domain, written atomically."""
    font = cjk_font()
    figure = Figure(figsize=(6, 3.2), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = range(len(REGULATED))
    registered = [stats.units_registered.get(d, 0) for d in REGULATED]
    reached = [stats.units_reached.get(d, 0) for d in REGULATED]
    axes.bar(
        [p - 0.2 for p in positions],
        registered,
        width=0.4,
        color="#9a9a9a",
        label=text("annual", "charts.registered"),
    )
    axes.bar(
        [p + 0.2 for p in positions],
        reached,
        width=0.4,
        color="#3b7dd8",
        label=text("annual", "charts.reached"),
    )
    axes.set_xticks(list(positions), [domain_label(d) for d in REGULATED], fontproperties=font)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(text("annual", "charts.units"), fontproperties=font)
    axes.legend(prop=font)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    figure.savefig(partial, format="png")
    os.replace(partial, path)
    return path
