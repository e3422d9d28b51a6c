"""One row per session of a year, written as CSV (UTF-8 with BOM, for Excel) or XLSX."""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.outreach.messages import items, text
from bot.outreach.models import (
    PersonRow,
    SessionDomainRow,
    SessionInspectorRow,
    SessionRow,
    TurnCitationRow,
    TurnRow,
    UnitRow,
)
from bot.outreach.stats import REPORT_TZ, article_label, domain_label, period_bounds

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


def write(rows: list[Row], fmt: str, out: Path, year: int) -> Path:
    """Write ``rows`` under the Chinese header to ``out`` atomically."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    header = items("export.headers")
    if fmt == "csv":
        with open(partial, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    else:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = text("export.sheet", year=year)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for column, width in zip(
            "ABCDEFGHIJKLMN", (8, 6, 28, 22, 17, 17, 14, 14, 8, 8, 10, 40, 20, 24), strict=True
        ):
            sheet.column_dimensions[column].width = width
        workbook.save(partial)
    os.replace(partial, out)
    return out
