"""The spreadsheet of on-site sessions: its columns, one row read into a session, article references."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.records.errors import RecordsError
from bot.records.messages import text
from bot.records.sessions.records import DEFAULT_MINUTES, DEFAULT_START, SessionInput
from bot.records.sheets import Column
from bot.records.subjects import article_subjects
from bot.records.validate import parse_attendees, parse_count, parse_date, parse_time, split_list
from knowledge.law.library import Library
from knowledge.models import ArticleRef

SESSION_COLUMNS = (
    Column("date", ("日期", "活动日期", "普法日期"), required=True),
    Column("time", ("时间", "开始时间")),
    Column("unit", ("单位", "单位名称", "统一社会信用代码", "单位名称或信用代码"), required=True),
    Column("attendees", ("参加人数", "人数"), required=True),
    Column("domains", ("领域",)),
    Column("inspection_no", ("执法检查编号", "检查编号")),
    Column("topic", ("主题", "普法主题", "内容")),
    Column("inspectors", ("执法检查人员", "检查人员")),
    Column("articles", ("讲解条文", "条文")),
    Column("minutes", ("时长（分钟）", "时长", "分钟")),
)


@dataclass(frozen=True)
class Teaching:
    """Articles explained at a session, and the domains of their subjects."""

    articles: tuple[ArticleRef, ...]
    domains: tuple[str, ...]


ArticleResolver = Callable[[str], Teaching]


def session_entry(
    values: dict[str, str], today: date, resolve_articles: ArticleResolver | None
) -> SessionInput:
    """The session of one spreadsheet row; RecordsError naming the bad field."""
    teaching = Teaching((), ())
    if values.get("articles", "").strip():
        if resolve_articles is None:
            raise RecordsError(text("errors.articles_unavailable"))
        teaching = resolve_articles(values["articles"])
    raw_date, _, raw_time = values.get("date", "").strip().partition(" ")
    raw_time = values.get("time", "").strip() or raw_time
    if not values.get("unit", "").strip():
        raise RecordsError(text("errors.unit_query_empty_sheet"))
    return SessionInput(
        unit=values["unit"],
        day=parse_date(raw_date, today),
        attendees=parse_attendees(values.get("attendees", "")),
        start=parse_time(raw_time) if raw_time else DEFAULT_START,
        minutes=parse_count(values["minutes"], "时长（分钟）")
        if values.get("minutes")
        else DEFAULT_MINUTES,
        domains=split_list(values.get("domains", "")),
        inspection_no=values.get("inspection_no", ""),
        topic=values.get("topic", ""),
        inspectors=split_list(values.get("inspectors", "")),
        articles=teaching.articles,
        article_domains=teaching.domains,
    )


def article_resolver(library: Library) -> ArticleResolver:
    """Read "实验动物管理条例第十三条；人遗条例第二十二条" into article references (and their subjects' domains),
    refusing unknown ones."""

    def resolve(raw: str) -> Teaching:
        refs: list[ArticleRef] = []
        for part in split_list(raw):
            result = library.cite(part)
            if not result.found:
                raise RecordsError(text("errors.article_unknown", ref=part, reason=result.message.strip()))
            refs.extend(quote.ref for quote in result.quotes[:1])
        unique = tuple(dict.fromkeys(refs))
        domains = sorted({d for ref in unique for d in article_subjects(library, ref)})
        return Teaching(unique, tuple(domains))

    return resolve
