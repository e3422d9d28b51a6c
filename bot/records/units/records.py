"""Plain records of the register (detached from the database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Unit:
    """A regulated unit."""

    id: int
    name: str
    credit_code: str
    domains: tuple[str, ...]
    licence_no: str = ""
    address: str = ""
    contact: str = ""
    retired_on: date | None = None  # kept in history, out of coverage from this day
    retire_reason: str = ""

    def to_dict(self) -> dict[str, object]:
        """What ``pufa units list --json`` prints for the unit."""
        return {
            "id": self.id,
            "name": self.name,
            "credit_code": self.credit_code,
            "domains": list(self.domains),
            "licence_no": self.licence_no,
            "address": self.address,
            "contact": self.contact,
            "retired_on": None if self.retired_on is None else self.retired_on.isoformat(),
            "retire_reason": self.retire_reason,
        }


@dataclass(frozen=True)
class UnitRequest:
    """A self-registration naming a unit that is not in the register, waiting for an admin."""

    id: int
    person: str
    name: str
    credit_code: str
    requested_at: datetime
