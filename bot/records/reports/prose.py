"""The figures in words: the annual report's paragraph and the plain-text summary of ``pufa stats``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.records.messages import text
from bot.records.reports.labels import NO_DOMAIN, domain_label, unit_kind

if TYPE_CHECKING:
    from bot.records.reports.figures import YearStats


def report_paragraph(stats: YearStats) -> str:
    """One paragraph ready for the annual report, in the bureau's own wording."""
    none = text("labels.none")
    by_domain = "、".join(
        text("report.domain_part", domain=domain_label(d), count=sum(counts.values()))
        for d, counts in stats.by_domain.items()
        if any(counts.values())
    )
    coverage_parts = "、".join(
        text(
            "report.coverage_part",
            unit_kind=unit_kind(d),
            registered=stats.units_registered.get(d, 0),
            reached=stats.units_reached.get(d, 0),
        )
        for d in stats.unit_domains
    )
    registered = stats.units_registered.get("all", 0)
    share = (
        f"{stats.units_reached.get('all', 0) / registered:.1%}"
        if registered
        else text("report.coverage_none")
    )
    ratio = stats.feedback_ratio
    top = text("report.top_joiner").join(a.label for a in stats.top_articles[:3]) or none
    return text(
        "report.paragraph",
        period=stats.period_label,
        scope=stats.scope_label,
        sessions=stats.sessions,
        onsite=stats.onsite,
        online=stats.online,
        by_domain=by_domain or none,
        attendees=stats.attendees,
        coverage=text("report.coverage", parts=coverage_parts) if coverage_parts else "",
        units=stats.units_reached.get("all", 0),
        registered=registered,
        share=share,
        answered=stats.answered,
        declined=stats.declined,
        rated=stats.feedback_up + stats.feedback_down,
        ratio=text("report.ratio_none") if ratio is None else f"{ratio:.1%}",
        top_articles=top,
    )


def render_text(stats: YearStats) -> str:
    """The figures as plain text (``pufa stats`` and the /stats message)."""
    lines = [
        text("stats.title", period=stats.period_label, scope=stats.scope_label),
        text(
            "stats.sessions",
            total=stats.sessions,
            onsite=stats.onsite,
            online=stats.online,
            attendees=stats.attendees,
        ),
        text("stats.by_month_header"),
        *(
            text("stats.by_month_line", month=text("labels.month", month=m), **counts)
            for m, counts in stats.by_month.items()
        ),
        text("stats.by_domain_header"),
        *(
            text("stats.by_domain_line", domain=domain_label(d), **counts)
            for d, counts in stats.by_domain.items()
            if d != NO_DOMAIN or any(counts.values())
        ),
        text("stats.units_header"),
        *(
            text(
                "stats.units_line",
                domain=text("labels.domain_all") if d == "all" else unit_kind(d),
                reached=stats.units_reached.get(d, 0),
                registered=stats.units_registered.get(d, 0),
            )
            for d in ("all", *stats.unit_domains)
        ),
        text("stats.questions", answered=stats.answered, declined=stats.declined),
        text(
            "stats.feedback",
            up=stats.feedback_up,
            down=stats.feedback_down,
            ratio=text("report.ratio_none")
            if stats.feedback_ratio is None
            else f"{stats.feedback_ratio:.1%}",
        ),
        text("stats.top_header"),
        *(
            text("stats.top_line", rank=rank, article=a.label, count=a.count)
            for rank, a in enumerate(stats.top_articles, start=1)
        ),
        text("stats.paragraph_header"),
        stats.report_paragraph,
    ]
    return "\n".join(lines)
