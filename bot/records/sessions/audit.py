"""The audit trail of on-site sessions: who created, corrected or deleted one, when, and what changed —
kept as JSON, read in Chinese ("参加人数 10→22（王检查，2026-03-15 14:30）")."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.records.calendar import REPORT_TZ
from bot.records.messages import text
from bot.records.models import SessionAuditRow
from bot.records.reports.labels import article_label
from knowledge.law import domains as corpus_domains
from knowledge.templates import table


def write_audit(
    db: Session, session_id: int, action: str, actor: str, at: datetime, details: dict[str, Any]
) -> None:
    """Add one entry (``create``, ``edit`` or ``delete``) to the session's trail."""
    db.add(
        SessionAuditRow(
            session_id=session_id,
            action=action,
            actor=actor,
            at=at,
            details=json.dumps(details, ensure_ascii=False, sort_keys=True),
        )
    )


def read_audit(db: Session, session_id: int) -> list[dict[str, Any]]:
    """The trail of a session (also of a deleted one), oldest first."""
    rows = db.scalars(
        select(SessionAuditRow).where(SessionAuditRow.session_id == session_id).order_by(SessionAuditRow.id)
    ).all()
    return [
        {"action": r.action, "actor": r.actor, "at": r.at.isoformat(), "details": json.loads(r.details)}
        for r in rows
    ]


def _value(field: str, value: Any, titles: Mapping[str, str]) -> str:
    """A recorded value as the audit shows it: names and titles, never codes."""
    if value in (None, "", []):
        return text("cli.audit_none")
    if field == "domains":
        return "、".join(corpus_domains.label(code) for code in value)
    if field == "articles":
        return "、".join(article_label(a["doc_id"], int(a["article"]), titles) for a in value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields of a session that differ between two ``session_dict``s, as ``{field: [old, new]}``."""
    fields = table("outreach")["audit"]["fields"]
    return {key: [old.get(key), new.get(key)] for key in fields if old.get(key) != new.get(key)}


def describe_changes(changes: dict[str, list[Any]], titles: Mapping[str, str]) -> str:
    """e.g. "参加人数 10→22；主题 —→实验动物许可" (without who and when)."""
    fields = table("outreach")["audit"]["fields"]
    return "；".join(
        f"{fields.get(key, key)} {_value(key, old, titles)}→{_value(key, new, titles)}" for key, (old, new) in changes.items()
    )


def who(actor: str) -> str:
    """The person behind an actor key: ``cli:王检查`` → 王检查, ``tg:42`` → Telegram 用户 42."""
    kind, _, name = actor.partition(":")
    return name if kind == "cli" else (f"Telegram 用户 {name}" if kind == "tg" else actor)


def audit_lines(entry: dict[str, Any], titles: Mapping[str, str]) -> list[str]:
    """One audit entry in Chinese, e.g. "参加人数 10→22（王检查，2026-03-15 14:30）"."""
    when = datetime.fromisoformat(entry["at"]).astimezone(REPORT_TZ).strftime("%Y-%m-%d %H:%M")
    actor, details = who(entry["actor"]), entry["details"]
    fields = table("outreach")["audit"]["fields"]
    if entry["action"] == "create":
        return [
            text(
                "cli.audit_created",
                unit=details.get("unit", ""),
                date=details.get("date", ""),
                time=details.get("time", ""),
                attendees=_value("attendees", details.get("attendees"), titles),
                actor=actor,
                when=when,
            )
        ]
    if entry["action"] == "delete":
        reason = details.get("reason") or text("cli.audit_none")
        return [text("cli.audit_deleted", reason=reason, actor=actor, when=when)]
    return [
        text(
            "cli.audit_change",
            field=fields.get(key, key),
            old=_value(key, old, titles),
            new=_value(key, new, titles),
            actor=actor,
            when=when,
        )
        for key, (old, new) in details.items()
    ]
