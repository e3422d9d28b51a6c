"""Yearly (or quarterly) outreach figures and the paragraph for the annual report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.outreach.messages import text
from bot.outreach.models import (
    PersonRow,
    SessionDomainRow,
    SessionInspectorRow,
    SessionRow,
    TurnCitationRow,
    TurnDomainRow,
    TurnRow,
    UnitDomainRow,
    UnitRow,
)
from knowledge.law import domains as corpus_domains
from knowledge.law.numerals import to_chinese
from knowledge.templates import table

REPORT_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")  # the bureau's calendar (no DST)
NO_DOMAIN = corpus_domains.NONE
TOP_N = 10


def period_bounds(year: int, quarter: int | None) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of the period in UTC, by the bureau's local calendar."""
    first_month = 1 if quarter is None else 3 * quarter - 2
    start = datetime(year, first_month, 1, tzinfo=REPORT_TZ)
    end_month = first_month + (12 if quarter is None else 3)
    end = datetime(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1, tzinfo=REPORT_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def domain_label(domain: str) -> str:
    """The Chinese title of a corpus domain (unknown ones shown as such)."""
    return corpus_domains.label(domain)


def article_label(doc_id: str, number: int, titles: Mapping[str, str]) -> str:
    """e.g. 《实验动物管理条例》第十三条; a document missing from the catalog is named as unknown."""
    doc = f"《{titles[doc_id]}》" if doc_id in titles else text("labels.unknown_document", doc_id=doc_id)
    return text("labels.article", doc=doc, number=to_chinese(number))


def unit_kind(domain: str) -> str:
    """How the report names the units of a regulated domain (e.g. 实验动物许可单位)."""
    kinds = table("outreach")["report"]["unit_kind"]
    return kinds.get(domain) or text("report.unit_kind_other", domain=domain_label(domain))


def ordered_domains(codes: set[str]) -> list[str]:
    """The regulated domains first, then the other known ones, then unknown codes, then "none"."""
    known = corpus_domains.known()
    rank = {code: index for index, code in enumerate(known)}
    return sorted(
        codes | set(corpus_domains.REGULATED),
        key=lambda code: (code == NO_DOMAIN, rank.get(code, len(known)), code),
    )


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
        none = text("labels.none")
        by_domain = "、".join(
            text("report.domain_part", domain=domain_label(d), count=sum(counts.values()))
            for d, counts in self.by_domain.items()
            if d != NO_DOMAIN and any(counts.values())
        )
        coverage = "、".join(
            text(
                "report.coverage_part",
                unit_kind=unit_kind(d),
                registered=self.units_registered.get(d, 0),
                reached=self.units_reached.get(d, 0),
            )
            for d in self.unit_domains
        )
        registered = self.units_registered.get("all", 0)
        share = (
            f"{self.units_reached.get('all', 0) / registered:.1%}"
            if registered
            else text("report.coverage_none")
        )
        ratio = self.feedback_ratio
        top = text("report.top_joiner").join(a.label for a in self.top_articles[:3]) or none
        return text(
            "report.paragraph",
            period=self.period_label,
            scope=self.scope_label,
            sessions=self.sessions,
            onsite=self.onsite,
            online=self.online,
            by_domain=by_domain or none,
            attendees=self.attendees,
            coverage=coverage or none,
            units=self.units_reached.get("all", 0),
            registered=registered,
            share=share,
            answered=self.answered,
            declined=self.declined,
            rated=self.feedback_up + self.feedback_down,
            ratio=text("report.ratio_none") if ratio is None else f"{ratio:.1%}",
            top_articles=top,
        )

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


def compute(
    db: Session, year: int, quarter: int | None, domain: str | None, titles: Mapping[str, str]
) -> YearStats:
    """Aggregate the log for the period (sessions by start time, questions by time asked).

    Units registered are those in the register now (the denominator of "units reached").
    """
    start, end = period_bounds(year, quarter)
    in_period = (SessionRow.started_at >= start, SessionRow.started_at < end)
    session_filter = [*in_period]
    turn_filter = [TurnRow.asked_at >= start, TurnRow.asked_at < end]
    if domain is not None:
        session_filter.append(
            SessionRow.id.in_(select(SessionDomainRow.session_id).where(SessionDomainRow.domain == domain))
        )
        turn_filter.append(
            TurnRow.id.in_(select(TurnDomainRow.turn_id).where(TurnDomainRow.domain == domain))
        )

    session_domains: dict[int, set[str]] = {}
    for session_id, session_domain in db.execute(
        select(SessionDomainRow.session_id, SessionDomainRow.domain)
        .join(SessionRow, SessionRow.id == SessionDomainRow.session_id)
        .where(*session_filter)
    ):
        session_domains.setdefault(session_id, set()).add(session_domain)

    months = range(1, 13) if quarter is None else range(3 * quarter - 2, 3 * quarter + 1)
    rows = db.execute(
        select(SessionRow.id, SessionRow.kind, SessionRow.started_at, SessionRow.attendees).where(
            *session_filter
        )
    ).all()
    touched_codes = {d for ids in session_domains.values() for d in ids}
    if any(not session_domains.get(row.id) for row in rows):
        touched_codes.add(NO_DOMAIN)
    series = [domain] if domain is not None else ordered_domains(touched_codes)
    by_month = {m: {"online": 0, "onsite": 0} for m in months}
    by_month_domain = {m: dict.fromkeys(series, 0) for m in months}
    by_domain = {d: {"online": 0, "onsite": 0} for d in series}
    kinds: Counter[str] = Counter()
    attendees = 0
    for session_id, kind, started_at, people in rows:
        month = started_at.astimezone(REPORT_TZ).month
        kinds[kind] += 1
        attendees += people or 0
        by_month[month][kind] += 1
        for touched in session_domains.get(session_id) or {NO_DOMAIN}:
            if domain is None or touched == domain:
                by_month_domain[month][touched] += 1
                by_domain[touched][kind] += 1

    registered = dict(
        db.execute(select(UnitDomainRow.domain, func.count()).group_by(UnitDomainRow.domain)).all()
    )
    registered["all"] = db.scalar(select(func.count()).select_from(UnitRow)) or 0
    reached_units = (
        select(SessionRow.unit_id).where(*session_filter, SessionRow.unit_id.is_not(None)).distinct()
    )
    reached = dict(
        db.execute(
            select(UnitDomainRow.domain, func.count())
            .where(UnitDomainRow.unit_id.in_(reached_units))
            .group_by(UnitDomainRow.domain)
        ).all()
    )
    reached["all"] = db.scalar(select(func.count()).select_from(reached_units.subquery())) or 0
    if domain is not None:
        registered = {"all": registered.get(domain, 0), domain: registered.get(domain, 0)}
        reached = {"all": reached.get(domain, 0), domain: reached.get(domain, 0)}

    total, declined, up, down = db.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((TurnRow.declined, 1), else_=0)), 0),
            func.coalesce(func.sum(case((TurnRow.feedback == 1, 1), else_=0)), 0),
            func.coalesce(func.sum(case((TurnRow.feedback == -1, 1), else_=0)), 0),
        ).where(*turn_filter)
    ).one()

    cited = func.count().label("cited")
    top = db.execute(
        select(TurnCitationRow.doc_id, TurnCitationRow.article, cited)
        .join(TurnRow, TurnRow.id == TurnCitationRow.turn_id)
        .where(*turn_filter)
        .group_by(TurnCitationRow.doc_id, TurnCitationRow.article)
        .order_by(cited.desc(), TurnCitationRow.doc_id, TurnCitationRow.article)
        .limit(TOP_N)
    ).all()

    return YearStats(
        year=year,
        quarter=quarter,
        domain=domain,
        online=kinds["online"],
        onsite=kinds["onsite"],
        attendees=attendees,
        by_month=by_month,
        by_month_domain=by_month_domain,
        by_domain=by_domain,
        units_registered={k: int(v) for k, v in registered.items()},
        units_reached={k: int(v) for k, v in reached.items()},
        questions=int(total),
        declined=int(declined),
        feedback_up=int(up),
        feedback_down=int(down),
        top_articles=tuple(
            ArticleCount(doc_id, article, int(count), article_label(doc_id, article, titles))
            for doc_id, article, count in top
        ),
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


Row = list[str | int]


def _local(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(REPORT_TZ).strftime("%Y-%m-%d %H:%M")


def session_rows(db: Session, year: int, titles: Mapping[str, str]) -> list[Row]:
    """The export rows (header excluded), sessions in order of start."""
    start, end = period_bounds(year, None)
    in_year = (SessionRow.started_at >= start, SessionRow.started_at < end)
    inspectors: dict[int, list[str]] = {}
    for session_id, name in db.execute(
        select(SessionInspectorRow.session_id, PersonRow.display_name)
        .join(PersonRow, PersonRow.id == SessionInspectorRow.person_id)
        .join(SessionRow, SessionRow.id == SessionInspectorRow.session_id)
        .where(*in_year)
        .order_by(SessionInspectorRow.session_id, PersonRow.id)
    ):
        inspectors.setdefault(session_id, []).append(name)
    counts = {
        session_id: (asked, declined)
        for session_id, asked, declined in db.execute(
            select(TurnRow.session_id, func.count(), func.sum(case((TurnRow.declined, 1), else_=0)))
            .join(SessionRow, SessionRow.id == TurnRow.session_id)
            .where(*in_year)
            .group_by(TurnRow.session_id)
        )
    }
    cited: dict[int, list[str]] = {}
    for session_id, doc_id, article in db.execute(
        select(TurnRow.session_id, TurnCitationRow.doc_id, TurnCitationRow.article)
        .join(TurnRow, TurnRow.id == TurnCitationRow.turn_id)
        .join(SessionRow, SessionRow.id == TurnRow.session_id)
        .where(*in_year)
        .distinct()
        .order_by(TurnRow.session_id, TurnCitationRow.doc_id, TurnCitationRow.article)
    ):
        cited.setdefault(session_id, []).append(article_label(doc_id, article, titles))
    domains: dict[int, list[str]] = {}
    for session_id, domain in db.execute(
        select(SessionDomainRow.session_id, SessionDomainRow.domain)
        .join(SessionRow, SessionRow.id == SessionDomainRow.session_id)
        .where(*in_year)
        .order_by(SessionDomainRow.session_id, SessionDomainRow.domain)
    ):
        domains.setdefault(session_id, []).append(domain_label(domain))
    rows: list[Row] = []
    for session, unit_name, credit_code in db.execute(
        select(SessionRow, UnitRow.name, UnitRow.credit_code)
        .outerjoin(UnitRow, UnitRow.id == SessionRow.unit_id)
        .where(*in_year)
        .order_by(SessionRow.started_at, SessionRow.id)
    ):
        asked, declined = counts.get(session.id, (0, 0))
        rows.append(
            [
                session.id,
                text(f"labels.kind_{session.kind}"),
                unit_name or "",
                credit_code or "",
                _local(session.started_at),
                _local(session.ended_at),
                "、".join(inspectors.get(session.id, [])),
                session.inspection_no,
                "" if session.attendees is None else session.attendees,
                int(asked),
                int(declined or 0),
                text("export.joiner").join(cited.get(session.id, [])),
                "、".join(domains.get(session.id, [])),
                session.note,
            ]
        )
    return rows
