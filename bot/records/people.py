"""People: roles (lab user, inspector, admin), a person's own history, and forgetting a person."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult

from bot.records.db import TRANSIENT, Database, reason_of
from bot.records.errors import RecordsError
from bot.records.messages import text
from bot.records.models import ROLES, PersonRow, SessionRow, TurnCitationRow, TurnRow
from bot.records.rows import person_for_update
from bot.records.turns.log import TurnLog
from knowledge.models import ArticleRef

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HistoryItem:
    """One of a user's own past questions (/history)."""

    asked_at: datetime
    question: str
    answer_mode: str
    declined: bool
    citations: tuple[ArticleRef, ...]
    session_kind: str
    feedback: int | None


class People:
    """Roles, history and forgetting, over the records database."""

    def __init__(self, database: Database, turns: TurnLog) -> None:
        self.database = database
        self.turns = turns
        self._roles: dict[str, str] = {}  # last role read per person, used while the database is down

    def role_of(self, person_key: str) -> str:
        """``admin`` for ids in PUFA_ADMIN_IDS, else the stored role (``lab`` by default)."""
        number = person_key.rpartition(":")[2]
        if number.isascii() and number.isdigit() and int(number) in self.database.settings.admin_ids:
            return "admin"
        if self.database.down:
            return self._roles.get(person_key, "lab")
        try:
            with self.database.raw_reading() as db:
                role = db.scalar(select(PersonRow.role).where(PersonRow.person_key == person_key))
        except TRANSIENT as error:
            log.warning(
                "role look-up failed, using the last known role of %s: %s", person_key, reason_of(error)
            )
            self.database.mark_down()
            return self._roles.get(person_key, "lab")
        self._roles[person_key] = role or "lab"
        return role or "lab"

    def inspectors(self) -> list[str]:
        """The names of the inspectors and admins in the register (not forgotten), by name."""
        with self.database.reading() as db:
            names = db.scalars(
                select(PersonRow.display_name)
                .where(
                    PersonRow.role.in_(("inspector", "admin")),
                    PersonRow.forgotten_at.is_(None),
                    PersonRow.display_name != "",
                )
                .distinct()
            ).all()
        return sorted(names)

    def require_inspector(self, person_key: str) -> None:
        """RecordsError unless the person is an inspector or an admin."""
        if self.role_of(person_key) not in ("inspector", "admin"):
            raise RecordsError(text("errors.not_inspector"))

    def set_role(self, person_key: str, role: str, display_name: str = "") -> None:
        """Make a person an inspector, lab user or admin (/grant, /revoke)."""
        if role not in ROLES:
            raise RecordsError(text("errors.unknown_role", role=role))
        with self.database.writing() as db:
            person_id, _ = person_for_update(db, person_key, display_name, self.database.now(), naming=True)
            db.execute(update(PersonRow).where(PersonRow.id == person_id).values(role=role))
        self._roles[person_key] = role

    def history(self, person_key: str, limit: int = 10) -> list[HistoryItem]:
        """The person's own latest questions, newest first."""
        with self.database.reading() as db:
            rows = db.execute(
                select(TurnRow, SessionRow.kind)
                .join(SessionRow, SessionRow.id == TurnRow.session_id)
                .join(PersonRow, PersonRow.id == TurnRow.person_id)
                .where(PersonRow.person_key == person_key)
                .order_by(TurnRow.asked_at.desc(), TurnRow.id.desc())
                .limit(limit)
            ).all()
            cited: dict[int, list[ArticleRef]] = {}
            ids = [turn.id for turn, _ in rows]
            for turn_id, doc_id, article in db.execute(
                select(TurnCitationRow.turn_id, TurnCitationRow.doc_id, TurnCitationRow.article)
                .where(TurnCitationRow.turn_id.in_(ids))
                .order_by(TurnCitationRow.doc_id, TurnCitationRow.article)
            ):
                cited.setdefault(turn_id, []).append(ArticleRef(doc_id, article))
        return [
            HistoryItem(
                asked_at=turn.asked_at,
                question=turn.question or "",
                answer_mode=turn.answer_mode,
                declined=turn.declined,
                citations=tuple(cited.get(turn.id, ())),
                session_kind=kind,
                feedback=turn.feedback,
            )
            for turn, kind in rows
        ]

    def forget(self, person_key: str) -> int:
        """Erase a person's name, Telegram id and question texts; counts stay. Returns questions erased."""
        self.turns.replay()  # so no spooled question of theirs comes back afterwards
        with self.database.writing() as db:
            person = db.scalar(select(PersonRow).where(PersonRow.person_key == person_key).with_for_update())
            if person is None:
                return 0
            erased = cast(
                CursorResult[Any],
                db.execute(
                    update(TurnRow)
                    .where(TurnRow.person_id == person.id, TurnRow.question.is_not(None))
                    .values(question=None)
                ),
            ).rowcount
            person.person_key = None
            person.display_name = ""
            person.forgotten_at = self.database.now()
            return int(erased or 0)
