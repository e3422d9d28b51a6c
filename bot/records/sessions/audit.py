"""The audit trail of on-site sessions: who created, corrected or deleted one, when, and what changed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.records.models import SessionAuditRow


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
