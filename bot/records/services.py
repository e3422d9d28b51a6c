"""Records: every records service over one ``Database``, opened together by a surface."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.records.accounts import Accounts
from bot.records.db import Database
from bot.records.people import People
from bot.records.reports.service import Reports
from bot.records.sessions.log import OnsiteLog
from bot.records.sessions.materials import Materials
from bot.records.training.log import TrainingLog
from bot.records.turns.claims import TurnClaims
from bot.records.turns.log import TurnLog
from bot.records.turns.questions import UnitQuestions
from bot.records.turns.review import TurnReview
from bot.records.units.register import UnitRegister
from bot.settings import Settings


@dataclass(frozen=True)
class Records:
    """The services a surface uses; each takes the same ``database``."""

    database: Database
    turns: TurnLog
    claims: TurnClaims
    people: People
    units: UnitRegister
    sessions: OnsiteLog
    materials: Materials
    questions: UnitQuestions
    training: TrainingLog
    reports: Reports
    accounts: Accounts
    review: TurnReview

    @classmethod
    def over(cls, database: Database) -> Records:
        turns = TurnLog(database)
        people = People(database, turns)
        return cls(
            database=database,
            turns=turns,
            claims=TurnClaims(database, database.settings.turn_claim_lease_s),
            people=people,
            units=UnitRegister(database),
            sessions=OnsiteLog(database, people),
            materials=Materials(database),
            questions=UnitQuestions(database),
            training=TrainingLog(database),
            reports=Reports(database),
            accounts=Accounts(database, people),
            review=TurnReview(database),
        )

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        retry_after_s: float = 5.0,
        clock: Callable[[], datetime] | None = None,
    ) -> Records:
        """Connect (NotMigratedError unless the schema is at head) and replay the turn spool."""
        records = cls.over(Database.open(settings, retry_after_s=retry_after_s, clock=clock))
        records.turns.replay()
        return records

    def close(self) -> None:
        self.turns.close()
        self.database.close()
