"""Turn claims: a question with an identity from its source is answered by one process, once.

A surface claims a question before answering it. The claim is a row keyed by the source's own ids
(Telegram: bot + chat + message, and bot + update), so the database decides who answers a redelivered
update or one seen by two processes. A claim whose owner died is taken over (by name, or once it is
older than the lease); while the database does not answer, the surface answers anyway (the turn
itself still lands once: its uid comes from the same source).
"""

from __future__ import annotations

import enum
import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from bot.records.db import TRANSIENT, Database, reason_of
from bot.records.models import TurnClaimRow
from bot.records.rows import insert_ignoring_conflicts

log = logging.getLogger(__name__)


def source_uid(key: str) -> str:
    """The turn uid (32 hex digits) derived from a source key: the same question always gets the same uid."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def telegram_key(bot_id: int, chat_id: int, message_id: int) -> str:
    return f"tg:{bot_id}:{chat_id}:{message_id}"


def telegram_update_key(bot_id: int, update_id: int | None) -> str | None:
    return None if update_id is None else f"tg:{bot_id}:u{update_id}"


@dataclass(frozen=True)
class TurnSource:
    """Where a question came from: ``key`` names it uniquely, ``update_key`` its delivery, ``uid`` its turn."""

    key: str
    update_key: str | None
    uid: str


class Claim(enum.Enum):
    MINE = "mine"  # answer it
    TAKEN = "taken"  # answered already, or being answered by a live process: do nothing
    UNKNOWN = "unknown"  # the database did not answer: answer (the turn still lands once)


class TurnClaims:
    """The ``turn_claims`` table over the records database."""

    def __init__(self, database: Database, lease_s: float) -> None:
        self.database = database
        self.lease = timedelta(seconds=lease_s)

    def claim(self, source: TurnSource, owner: str, *, take_from: str | None = None) -> Claim:
        """Claim ``source`` for ``owner``; a claim held by ``take_from`` (a process known dead) or older
        than the lease and never answered is taken over."""
        if self.database.down:
            return Claim.UNKNOWN
        try:
            with self.database.raw_writing() as db:
                now = self.database.now()
                values = {
                    "uid": source.uid,
                    "source": source.key,
                    "update_key": source.update_key,
                    "owner": owner,
                    "claimed_at": now,
                }
                inserted = db.scalar(
                    insert_ignoring_conflicts(db, TurnClaimRow).returning(TurnClaimRow.uid), values
                )
                if inserted is not None:
                    return Claim.MINE
                keys = [TurnClaimRow.uid == source.uid]
                if source.update_key is not None:
                    keys.append(TurnClaimRow.update_key == source.update_key)
                held = db.execute(
                    select(
                        TurnClaimRow.uid,
                        TurnClaimRow.owner,
                        TurnClaimRow.claimed_at,
                        TurnClaimRow.answered_at,
                    )
                    .where(or_(*keys))
                    .with_for_update()
                ).first()
                if held is None or held.answered_at is not None or held.owner == owner:
                    return Claim.TAKEN
                if held.owner != take_from and now - held.claimed_at < self.lease:
                    return Claim.TAKEN
                db.execute(
                    update(TurnClaimRow)
                    .where(TurnClaimRow.uid == held.uid)
                    .values(owner=owner, claimed_at=now)
                )
                log.warning("question %s taken over from %s", held.uid, held.owner)
                return Claim.MINE
        except TRANSIENT as error:
            log.warning("turn claim skipped, database not answering: %s", reason_of(error))
            self.database.mark_down()
            return Claim.UNKNOWN
        except SQLAlchemyError as error:  # a schema error: reported, and the question still answered
            log.error("turn claim refused by the database: %s", reason_of(error))
            return Claim.UNKNOWN

    def answered(self, uid: str) -> None:
        """Mark the question ``uid`` answered (the reply was sent); a failure only leaves it claimed."""
        if self.database.down:
            return
        try:
            with self.database.raw_writing() as db:
                db.execute(
                    update(TurnClaimRow)
                    .where(TurnClaimRow.uid == uid)
                    .values(answered_at=self.database.now())
                )
        except SQLAlchemyError as error:
            log.warning("turn claim %s not marked answered: %s", uid, reason_of(error))
