"""The PNG chart of sessions per month by domain, with Chinese labels in a CJK font."""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ticker import MaxNLocator

from bot.outreach.errors import OutreachError
from bot.outreach.messages import text
from bot.outreach.stats import NO_DOMAIN, YearStats, domain_label

# Installed by the set-up as the Debian package fonts-wqy-microhei; the others are accepted too.
CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
)
COLOURS = {"lab_animals": "#3b7dd8", "human_genetic_resources": "#e0823d", NO_DOMAIN: "#9a9a9a"}


def cjk_font() -> FontProperties:
    """Font properties of the first installed CJK family; OutreachError (Chinese) if there is none."""
    for family in CJK_FAMILIES:
        properties = FontProperties(family=family)
        try:
            findfont(properties, fallback_to_default=False)
        except ValueError:
            continue
        return properties
    raise OutreachError(text("errors.chart_font_missing"))


def build_chart(stats: YearStats) -> Figure:
    """The figure: grouped bars of sessions per month, one bar per domain touched."""
    font = cjk_font()
    figure = Figure(figsize=(10, 5), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    has_none = any(stats.by_month_domain[m][NO_DOMAIN] for m in stats.months)
    series = [*stats.domains, *([NO_DOMAIN] if has_none else [])]
    width = 0.8 / len(series)
    for index, domain in enumerate(series):
        positions = [i + (index - (len(series) - 1) / 2) * width for i in range(len(stats.months))]
        counts = [stats.by_month_domain[m][domain] for m in stats.months]
        axes.bar(positions, counts, width, label=domain_label(domain), color=COLOURS[domain])
    axes.set_xticks(range(len(stats.months)), [text("labels.month", month=m) for m in stats.months])
    axes.tick_params(labelfontfamily=font.get_family()[0])
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(
        text("chart.title", period=stats.period_label, scope=stats.scope_label), fontproperties=font
    )
    axes.set_xlabel(text("chart.xlabel"), fontproperties=font)
    axes.set_ylabel(text("chart.ylabel"), fontproperties=font)
    axes.legend(prop=font)
    axes.grid(axis="y", alpha=0.3)
    return figure


def write_chart(stats: YearStats, path: Path) -> Path:
    """Render the chart to ``path`` (PNG), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    build_chart(stats).savefig(partial, format="png")
    os.replace(partial, path)
    return path
