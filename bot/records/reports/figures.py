"""The year's (or quarter's) outreach figures, as data; ``to_dict()`` is what ``pufa stats --json`` prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.records.messages import text
from bot.records.reports.labels import NO_DOMAIN, domain_label
from bot.records.reports.prose import report_paragraph
from knowledge.law import domains as corpus_domains
from knowledge.law.numerals import to_chinese


@dataclass(frozen=True)
class ArticleCount:
    doc_id: str
    article: int
    count: int
    label: str


@dataclass(frozen=True)
class YearStats:
    """Every figure of the report; ``to_dict()`` is what ``pufa stats --json`` prints."""

    year: int
    quarter: int | None
    domain: str | None
    online: int
    onsite: int
    attendees: int
    by_month: dict[int, dict[str, int]]  # month -> {"online": n, "onsite": n}
    by_month_domain: dict[int, dict[str, int]]  # month -> {domain or "none": sessions}
    by_domain: dict[str, dict[str, int]]  # domain or "none" -> {"online": n, "onsite": n}
    units_registered: dict[str, int]  # "all" and each domain
    units_reached: dict[str, int]
    questions: int
    declined: int
    feedback_up: int
    feedback_down: int
    top_articles: tuple[ArticleCount, ...] = field(default=())

    @property
    def sessions(self) -> int:
        return self.online + self.onsite

    @property
    def answered(self) -> int:
        return self.questions - self.declined

    @property
    def months(self) -> list[int]:
        return (
            list(range(1, 13))
            if self.quarter is None
            else list(range(3 * self.quarter - 2, 3 * self.quarter + 1))
        )

    @property
    def domains(self) -> tuple[str, ...]:
        """The domains reported on: the regulated ones and every other one touched, or the one asked."""
        return tuple(d for d in self.by_domain if d != NO_DOMAIN)

    @property
    def unit_domains(self) -> tuple[str, ...]:
        """The domains of the register that the coverage figures speak of."""
        regulated = corpus_domains.REGULATED
        return regulated if self.domain is None else tuple(d for d in regulated if d == self.domain)

    @property
    def feedback_ratio(self) -> float | None:
        rated = self.feedback_up + self.feedback_down
        return self.feedback_up / rated if rated else None

    @property
    def period_label(self) -> str:
        if self.quarter is None:
            return text("labels.whole_year", year=self.year)
        return text("labels.quarter", year=self.year, quarter=to_chinese(self.quarter))

    @property
    def scope_label(self) -> str:
        return "" if self.domain is None else text("labels.domain_scope", domain=domain_label(self.domain))

    @property
    def report_paragraph(self) -> str:
        """One paragraph ready for the annual report, in the bureau's own wording."""
        return report_paragraph(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "quarter": self.quarter,
            "domain": self.domain,
            "sessions": {"total": self.sessions, "online": self.online, "onsite": self.onsite},
            "attendees": self.attendees,
            "by_month": {str(m): counts for m, counts in self.by_month.items()},
            "by_month_domain": {str(m): counts for m, counts in self.by_month_domain.items()},
            "by_domain": self.by_domain,
            "domain_labels": {d: domain_label(d) for d in self.by_domain},
            "units": {"registered": self.units_registered, "reached": self.units_reached},
            "questions": {"total": self.questions, "answered": self.answered, "declined": self.declined},
            "feedback": {"up": self.feedback_up, "down": self.feedback_down, "ratio": self.feedback_ratio},
            "top_articles": [
                {"doc_id": a.doc_id, "article": a.article, "count": a.count, "label": a.label}
                for a in self.top_articles
            ],
            "report_paragraph": self.report_paragraph,
        }
