"""The PNG chart of sessions per month by domain, with Chinese labels in a CJK font."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, fontManager, get_font
from matplotlib.ticker import MaxNLocator

from bot.records.errors import RecordsError
from bot.records.messages import text
from bot.records.reports.figures import YearStats
from bot.records.reports.labels import NO_DOMAIN, domain_label

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
# Where Debian/Ubuntu, Fedora and macOS put these fonts; fc-match adds whatever fontconfig knows.
FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)
REGULATED_COLOURS = {"lab_animals": "#3b7dd8", "human_genetic_resources": "#e0823d", NO_DOMAIN: "#9a9a9a"}
OTHER_COLOURS = ("#4aa564", "#b5496b", "#8a6bc1", "#c9a227", "#3fa7b5", "#7d5a3c")


def _installed_family() -> str | None:
    for family in CJK_FAMILIES:
        try:
            findfont(FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        return family
    return None


def _fontconfig_files() -> list[str]:
    """CJK font files fontconfig knows of (empty when fc-match is not installed)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return []
    try:
        found = subprocess.run(
            [fc_match, "-f", "%{file}\\n", ":lang=zh"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [line for line in found.stdout.splitlines() if line.strip()]


def _register_font_files() -> str | None:
    """Add CJK font files to matplotlib directly (its cache may predate them); the family added."""
    for path in (*FONT_FILES, *_fontconfig_files()):
        if not Path(path).is_file():
            continue
        try:
            fontManager.addfont(path)
            family = get_font(path).family_name
        except (OSError, RuntimeError, ValueError):
            continue
        if _has_han(path):
            return family
    return None


def _has_han(path: str) -> bool:
    """True when the font at ``path`` has glyphs for common Chinese characters."""
    font = get_font(path)
    return all(font.get_char_index(ord(char)) for char in "实验动物")


def cjk_font() -> FontProperties:
    """Font properties of an installed CJK family; RecordsError (Chinese, with the fix) if there is none.

    A font installed after matplotlib built its font cache is not in that cache: its file is then
    registered with the font manager directly.
    """
    family = _installed_family() or _register_font_files()
    if family is None:
        raise RecordsError(text("errors.chart_font_missing"))
    return FontProperties(family=family)


def colour(domain: str, index: int) -> str:
    """A fixed colour for the regulated domains and "none"; the others take the palette in turn."""
    return REGULATED_COLOURS.get(domain) or OTHER_COLOURS[index % len(OTHER_COLOURS)]


def build_chart(stats: YearStats) -> Figure:
    """The figure: grouped bars of sessions per month, one bar per domain touched."""
    font = cjk_font()
    figure = Figure(figsize=(10, 5), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    series = list(stats.by_domain)
    width = 0.8 / len(series)
    for index, domain in enumerate(series):
        positions = [i + (index - (len(series) - 1) / 2) * width for i in range(len(stats.months))]
        counts = [stats.by_month_domain[m][domain] for m in stats.months]
        axes.bar(positions, counts, width, label=domain_label(domain), color=colour(domain, index))
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
