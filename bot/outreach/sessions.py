"""On-site sessions recorded after the fact (CLI, the bot's guided conversation, a spreadsheet):
adding, listing, correcting and deleting them, each change kept in the audit table."""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.outreach.errors import OutreachError
from bot.outreach.messages import text
from bot.outreach.models import (
    PersonRow,
    SessionArticleRow,
    SessionAuditRow,
    SessionDomainRow,
    SessionInspectorRow,
    SessionRow,
    TurnRow,
    UnitRow,
)
from bot.outreach.records import OnsiteSession
from bot.outreach.spreadsheets import Column, ImportReport, read_sheet
from bot.outreach.stats import REPORT_TZ, period_bounds
from bot.outreach.units import find_unit, unit_record
from bot.outreach.validate import (
    check_attendees,
    check_domains,
    parse_attendees,
    parse_count,
    parse_date,
    parse_time,
    split_list,
)
from bot.outreach.writer import person_for_update
from knowledge.law.library import Library
from knowledge.models import ArticleRef

if TYPE_CHECKING:
    from bot.outreach.store import OutreachStore

DEFAULT_START = time(9, 0)
DEFAULT_MINUTES = 60
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
ArticleResolver = Callable[[str], tuple[ArticleRef, ...]]


@dataclass(frozen=True)
class SessionInput:
    """An on-site session as entered; ``domains`` empty means the unit's own domains."""

    unit: str
    day: date
    attendees: int
    start: time = DEFAULT_START
    minutes: int = DEFAULT_MINUTES
    domains: tuple[str, ...] = ()
    inspection_no: str = ""
    topic: str = ""
    inspectors: tuple[str, ...] = ()
    articles: tuple[ArticleRef, ...] = ()
    inspector_keys: tuple[str, ...] = ()  # users of the bot present (``tg:<id>``), besides names


def started_at(entry: SessionInput) -> datetime:
    """When the session began, in UTC (its date and time are the bureau's local ones)."""
    return datetime.combine(entry.day, entry.start, tzinfo=REPORT_TZ).astimezone(UTC)


def local_date(moment: datetime) -> date:
    return moment.astimezone(REPORT_TZ).date()


def onsite_record(db: Session, row: SessionRow) -> OnsiteSession:
    """The detached record of an on-site session row."""
    unit = db.get(UnitRow, row.unit_id) if row.unit_id is not None else None
    assert unit is not None, "on-site sessions always have a unit"
    names = db.scalars(
        select(PersonRow.display_name)
        .join(SessionInspectorRow, SessionInspectorRow.person_id == PersonRow.id)
        .where(SessionInspectorRow.session_id == row.id)
        .order_by(PersonRow.id)
    ).all()
    domains = db.scalars(
        select(SessionDomainRow.domain).where(SessionDomainRow.session_id == row.id).order_by("domain")
    ).all()
    articles = db.execute(
        select(SessionArticleRow.doc_id, SessionArticleRow.article)
        .where(SessionArticleRow.session_id == row.id)
        .order_by(SessionArticleRow.doc_id, SessionArticleRow.article)
    ).all()
    questions = db.scalar(select(func.count()).select_from(TurnRow).where(TurnRow.session_id == row.id))
    return OnsiteSession(
        id=row.id,
        unit=unit_record(unit),
        inspectors=tuple(names),
        started_at=row.started_at,
        ended_at=row.ended_at,
        inspection_no=row.inspection_no,
        attendees=row.attendees,
        note=row.note,
        questions=questions or 0,
        domains=tuple(domains),
        topic=row.topic,
        articles=tuple(ArticleRef(doc, number) for doc, number in articles),
        recorded_by=row.recorded_by,
    )


def session_dict(session: OnsiteSession, kind: str = "onsite") -> dict[str, Any]:
    """What ``pufa outreach list --json`` prints (and the audit keeps) for a session."""
    start = session.started_at.astimezone(REPORT_TZ)
    return {
        "id": session.id,
        "kind": kind,
        "unit": session.unit.name,
        "credit_code": session.unit.credit_code,
        "date": start.date().isoformat(),
        "time": start.strftime("%H:%M"),
        "end": "" if session.ended_at is None else session.ended_at.astimezone(REPORT_TZ).strftime("%H:%M"),
        "attendees": session.attendees,
        "domains": list(session.domains),
        "inspectors": list(session.inspectors),
        "inspection_no": session.inspection_no,
        "topic": session.topic,
        "articles": [ref.as_dict() for ref in session.articles],
        "questions": session.questions,
        "recorded_by": session.recorded_by,
    }


def session_input(session: OnsiteSession) -> SessionInput:
    """The input that would record ``session`` as it is (the base of a correction)."""
    start = session.started_at.astimezone(REPORT_TZ)
    end = session.ended_at or session.started_at
    return SessionInput(
        unit=session.unit.credit_code,
        day=start.date(),
        attendees=session.attendees or 0,
        start=start.time().replace(second=0, microsecond=0),
        minutes=max(0, int((end - session.started_at).total_seconds() // 60)),
        domains=session.domains,
        inspection_no=session.inspection_no,
        topic=session.topic,
        inspectors=session.inspectors,
        articles=session.articles,
    )


class OnsiteLog:
    """On-site sessions over the store's database and transactions."""

    def __init__(self, store: OutreachStore) -> None:
        self.store = store

    def today(self) -> date:
        return local_date(self.store.now())

    # --- writing ------------------------------------------------------------------------------

    def add(self, entry: SessionInput, actor: str) -> OnsiteSession:
        """Record a session that took place (today or earlier); returns it as stored."""
        with self.store.writing() as db:
            row = SessionRow(kind="onsite", channel="onsite", note="", recorded_by=actor)
            self._fill(db, row, entry, actor)
            session = onsite_record(db, row)
            self._audit(db, row.id, "create", actor, session_dict(session))
            return session

    def edit(self, session_id: int, actor: str, **changes: Any) -> OnsiteSession:
        """Correct the fields given (names of SessionInput); the audit keeps each old and new value."""
        with self.store.writing() as db:
            row = self._onsite_row(db, session_id)
            before = onsite_record(db, row)
            entry = replace(session_input(before), **changes)
            self._fill(db, row, entry, actor)
            after = onsite_record(db, row)
            old, new = session_dict(before), session_dict(after)
            changed = {k: [old[k], new[k]] for k in new if old[k] != new[k] and k != "recorded_by"}
            self._audit(db, row.id, "edit", actor, changed)
            return after

    def delete(self, session_id: int, actor: str, reason: str = "") -> OnsiteSession:
        """Delete a session without questions; the audit keeps it whole (with ``reason``)."""
        with self.store.writing() as db:
            row = self._onsite_row(db, session_id)
            session = onsite_record(db, row)
            if session.questions:
                raise OutreachError(
                    text("errors.session_has_questions", id=session_id, count=session.questions)
                )
            self._audit(db, row.id, "delete", actor, {**session_dict(session), "reason": reason.strip()})
            db.execute(delete(SessionRow).where(SessionRow.id == row.id))
            return session

    def _onsite_row(self, db: Session, session_id: int) -> SessionRow:
        row = db.get(SessionRow, session_id, with_for_update=True)
        if row is None or row.kind != "onsite":
            raise OutreachError(text("errors.onsite_unknown", id=session_id))
        if row.ended_at is None:
            raise OutreachError(text("errors.session_still_open", id=session_id))
        return row

    def _fill(self, db: Session, row: SessionRow, entry: SessionInput, actor: str) -> None:
        """Check ``entry`` and write it into ``row`` with its domains, inspectors and articles."""
        if entry.day > self.today():
            raise OutreachError(text("errors.date_future", field="日期", value=entry.day.isoformat()))
        attendees = check_attendees(entry.attendees)
        if not 0 <= entry.minutes <= 24 * 60:
            raise OutreachError(text("errors.minutes_invalid", value=entry.minutes))
        unit = find_unit(db, entry.unit)
        domains = check_domains(entry.domains) if entry.domains else tuple(d.domain for d in unit.domains)
        started = started_at(entry)
        row.unit_id = unit.id
        row.started_at = started
        row.ended_at = row.last_activity_at = started + timedelta(minutes=entry.minutes)
        row.attendees = attendees
        row.inspection_no = entry.inspection_no.strip()
        row.topic = entry.topic.strip()
        db.add(row)
        db.flush()
        now = self.store.now()
        inspector_ids = [person_for_update(db, key, "", now)[0] for key in entry.inspector_keys]
        inspector_ids += [
            self._inspector(db, name, actor) for name in dict.fromkeys(entry.inspectors) if name.strip()
        ]
        for table, values in (
            (SessionDomainRow, [{"domain": d} for d in domains]),
            (SessionInspectorRow, [{"person_id": p} for p in dict.fromkeys(inspector_ids)]),
            (
                SessionArticleRow,
                [{"doc_id": r.doc_id, "article": r.article} for r in dict.fromkeys(entry.articles)],
            ),
        ):
            db.execute(delete(table).where(table.session_id == row.id))
            for value in values:
                db.add(table(session_id=row.id, **value))
        db.flush()

    def _inspector(self, db: Session, name: str, actor: str) -> int:
        """The person named ``name``: the actor if that is their name, an inspector of that name, or a new one."""
        name = name.strip()
        found = db.scalar(
            select(PersonRow.id)
            .where(PersonRow.display_name == name, PersonRow.role.in_(("inspector", "admin")))
            .order_by((PersonRow.person_key == actor).desc(), PersonRow.id)
            .limit(1)
        )
        if found is not None:
            return found
        person = PersonRow(person_key=None, display_name=name, role="inspector", created_at=self.store.now())
        db.add(person)
        db.flush()
        return person.id

    def _audit(self, db: Session, session_id: int, action: str, actor: str, details: dict[str, Any]) -> None:
        db.add(
            SessionAuditRow(
                session_id=session_id,
                action=action,
                actor=actor,
                at=self.store.now(),
                details=json.dumps(details, ensure_ascii=False, sort_keys=True),
            )
        )

    # --- reading ------------------------------------------------------------------------------

    def list(self, year: int, unit: str | None = None) -> list[OnsiteSession]:
        """The on-site sessions of ``year`` (by the bureau's calendar), in order of date."""
        start, end = period_bounds(year, None)
        with self.store.reading() as db:
            query = (
                select(SessionRow)
                .where(
                    SessionRow.kind == "onsite", SessionRow.started_at >= start, SessionRow.started_at < end
                )
                .order_by(SessionRow.started_at, SessionRow.id)
            )
            if unit is not None:
                query = query.where(SessionRow.unit_id == find_unit(db, unit).id)
            return [onsite_record(db, row) for row in db.scalars(query)]

    def audit(self, session_id: int) -> builtins.list[dict[str, Any]]:
        """The audit trail of a session (also of a deleted one), oldest first."""
        with self.store.reading() as db:
            rows = db.scalars(
                select(SessionAuditRow)
                .where(SessionAuditRow.session_id == session_id)
                .order_by(SessionAuditRow.id)
            ).all()
            return [
                {
                    "action": r.action,
                    "actor": r.actor,
                    "at": r.at.isoformat(),
                    "details": json.loads(r.details),
                }
                for r in rows
            ]

    # --- spreadsheets -------------------------------------------------------------------------

    def import_sheet(
        self,
        name: str,
        content: bytes,
        actor: str,
        *,
        partial: bool = False,
        resolve_articles: ArticleResolver | None = None,
    ) -> ImportReport:
        """Record every session of the spreadsheet; all or nothing unless ``partial``."""
        report = ImportReport()
        today = self.today()
        entries: list[tuple[int, SessionInput]] = []
        for row in read_sheet(name, content, SESSION_COLUMNS):
            try:
                entries.append((row.line, self._entry(row.values, today, resolve_articles)))
            except OutreachError as error:
                report.rejected.append((row.line, str(error)))
        good: list[tuple[int, SessionInput, int | None]] = []  # with the id of the same session stored
        seen: dict[tuple[int, datetime], int] = {}
        with self.store.reading() as db:  # units are checked before anything is written
            for line, entry in entries:
                try:
                    unit_id = find_unit(db, entry.unit).id
                    if entry.domains:
                        check_domains(entry.domains)
                except OutreachError as error:
                    report.rejected.append((line, str(error)))
                    continue
                key = (unit_id, started_at(entry))
                if key in seen:
                    report.rejected.append((line, text("errors.session_duplicate_line", line=seen[key])))
                    continue
                seen[key] = line
                stored = db.scalar(
                    select(SessionRow.id).where(
                        SessionRow.kind == "onsite",
                        SessionRow.unit_id == unit_id,
                        SessionRow.started_at == key[1],
                    )
                )
                good.append((line, entry, stored))
        report.rejected.sort()
        if report.rejected and not partial:
            report.accepted = [(line, entry.unit) for line, entry, _ in good]
            return report
        with self.store.writing() as db:
            for line, entry, stored in good:
                if stored is not None:  # imported before (e.g. the same file again): not twice
                    report.accepted.append((line, text("sheet.session_known", id=stored)))
                    continue
                created = SessionRow(kind="onsite", channel="onsite", note="", recorded_by=actor)
                self._fill(db, created, entry, actor)
                session = onsite_record(db, created)
                self._audit(db, created.id, "create", actor, session_dict(session))
                added = text(
                    "sheet.session_added", id=created.id, unit=session.unit.name, date=entry.day.isoformat()
                )
                report.accepted.append((line, added))
        report.applied = True
        return report

    @staticmethod
    def _entry(values: dict[str, str], today: date, resolve_articles: ArticleResolver | None) -> SessionInput:
        articles: tuple[ArticleRef, ...] = ()
        if values.get("articles", "").strip():
            if resolve_articles is None:
                raise OutreachError(text("errors.articles_unavailable"))
            articles = resolve_articles(values["articles"])
        raw_date, _, raw_time = values.get("date", "").strip().partition(" ")
        raw_time = values.get("time", "").strip() or raw_time
        if not values.get("unit", "").strip():
            raise OutreachError(text("errors.unit_query_empty_sheet"))
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
            articles=articles,
        )


def article_resolver(library: Library) -> ArticleResolver:
    """Read "实验动物管理条例第十三条；人遗条例第二十二条" into article references, refusing unknown ones."""

    def resolve(raw: str) -> tuple[ArticleRef, ...]:
        refs: list[ArticleRef] = []
        for part in split_list(raw):
            result = library.cite(part)
            if not result.found:
                raise OutreachError(text("errors.article_unknown", ref=part, reason=result.message.strip()))
            refs.extend(quote.ref for quote in result.quotes[:1])
        return tuple(dict.fromkeys(refs))

    return resolve
