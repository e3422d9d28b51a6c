"""The register of regulated units (执法对象库): import from a spreadsheet, add, update, list, and
self-registrations that link a user to a unit of the register (or wait for an admin)."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.records.batches import apply_batch, note_change, undo_batch
from bot.records.calendar import local_date
from bot.records.db import Database
from bot.records.errors import RecordsError
from bot.records.messages import text
from bot.records.models import ImportBatchRow, PersonRow, SessionRow, UnitDomainRow, UnitRequestRow, UnitRow
from bot.records.rows import person_for_update
from bot.records.sheets import Column, ImportReport, SheetLimits, read_sheet
from bot.records.units.records import Unit, UnitRequest
from bot.records.units.uscc import InvalidCreditCode, is_credit_code, normalize_credit_code
from bot.records.validate import check_domains, check_name, split_list
from knowledge.law.domains import REGULATED

UNIT_COLUMNS = (
    Column("name", ("单位名称", "名称", "单位"), required=True),
    Column("credit_code", ("统一社会信用代码", "信用代码"), required=True),
    Column("domains", ("领域", "监管领域"), required=True),
    Column("licence_no", ("许可证号", "许可证编号")),
    Column("address", ("地址", "单位地址")),
    Column("contact", ("联系人", "联系方式", "联系人及电话")),
)


@dataclass(frozen=True)
class UnitInput:
    """A unit as typed or read from a spreadsheet, checked by ``checked()``."""

    name: str
    credit_code: str
    domains: tuple[str, ...]
    licence_no: str = ""
    address: str = ""
    contact: str = ""

    def checked(self, *, domains_required: bool = True) -> UnitInput:
        """The same unit normalised (code upper-case, domains as codes); RecordsError naming the field."""
        name = check_name(self.name, "单位名称")
        if not name:
            raise RecordsError(text("errors.unit_name_empty"))
        code = normalize_credit_code(self.credit_code)
        if domains_required and not self.domains:
            raise RecordsError(text("errors.unit_domains_empty"))
        return UnitInput(
            name=name,
            credit_code=code,
            domains=check_domains(self.domains, REGULATED),
            licence_no=self.licence_no.strip(),
            address=self.address.strip(),
            contact=self.contact.strip(),
        )


def unit_record(row: UnitRow) -> Unit:
    """The detached record of a unit row."""
    return Unit(
        id=row.id,
        name=row.name,
        credit_code=row.credit_code,
        domains=tuple(sorted(d.domain for d in row.domains)),
        licence_no=row.licence_no or "",
        address=row.address,
        contact=row.contact,
        retired_on=row.retired_on,
        retire_reason=row.retire_reason,
    )


def find_unit(db: Session, query: str) -> UnitRow:
    """The unit with this credit code, exact name, or the only name containing ``query``."""
    query = query.strip()
    if not query:
        raise RecordsError(text("errors.unit_query_empty"))
    if is_credit_code(query):
        found = db.scalar(select(UnitRow).where(UnitRow.credit_code == normalize_credit_code(query)))
        if found is None:
            raise RecordsError(text("errors.unit_unknown", query=query))
        return found
    exact = db.scalars(select(UnitRow).where(UnitRow.name == query)).all()
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matches = (
        exact
        or db.scalars(
            select(UnitRow).where(UnitRow.name.like(pattern, escape="\\")).order_by(UnitRow.name).limit(6)
        ).all()
    )
    if not matches:
        raise RecordsError(text("errors.unit_unknown", query=query))
    if len(matches) > 1:
        names = "、".join(unit.name for unit in matches[:5])
        raise RecordsError(text("errors.unit_ambiguous", query=query, names=names))
    return matches[0]


def unit_input(unit: Unit) -> UnitInput:
    """The input that would store ``unit`` as it is (the base of a change)."""
    return UnitInput(unit.name, unit.credit_code, unit.domains, unit.licence_no, unit.address, unit.contact)


def unit_from_row(values: dict[str, str]) -> UnitInput:
    return UnitInput(
        name=values.get("name", ""),
        credit_code=values.get("credit_code", ""),
        domains=split_list(values.get("domains", "")),
        licence_no=values.get("licence_no", ""),
        address=values.get("address", ""),
        contact=values.get("contact", ""),
    )


class UnitRegister:
    """The register, over the records database. Units are written in one place (``_save``)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def list(self, domain: str | None = None) -> list[Unit]:
        """Every unit (or those of ``domain``), by name; retired ones too (``Unit.retired_on``)."""
        query = select(UnitRow).order_by(UnitRow.name, UnitRow.id)
        if domain is not None:
            (code,) = check_domains((domain,), REGULATED)
            query = query.where(
                UnitRow.id.in_(select(UnitDomainRow.unit_id).where(UnitDomainRow.domain == code))
            )
        with self.database.reading() as db:
            return [unit_record(row) for row in db.scalars(query)]

    def find(self, query: str) -> Unit:
        with self.database.reading() as db:
            return unit_record(find_unit(db, query))

    def add(self, unit: UnitInput) -> Unit:
        """Add a new unit; refused when its credit code is already registered."""
        unit = unit.checked()
        with self.database.writing() as db:
            existing = db.scalar(select(UnitRow).where(UnitRow.credit_code == unit.credit_code))
            if existing is not None:
                raise RecordsError(text("errors.unit_exists", code=unit.credit_code, name=existing.name))
            return unit_record(self._save(db, None, unit))

    def update(
        self,
        query: str,
        *,
        name: str | None = None,
        credit_code: str | None = None,
        domains: tuple[str, ...] | None = None,
        licence_no: str | None = None,
        address: str | None = None,
        contact: str | None = None,
    ) -> Unit:
        """Change the fields given of the unit found by ``query`` (name or credit code)."""
        with self.database.writing() as db:
            row = find_unit(db, query)
            current = unit_record(row)
            changes = {
                "name": name,
                "credit_code": credit_code,
                "domains": domains,
                "licence_no": licence_no,
                "address": address,
                "contact": contact,
            }
            wanted = replace(
                unit_input(current),
                **{k: v for k, v in changes.items() if v is not None},  # type: ignore[arg-type]
            ).checked()
            clash = db.scalar(
                select(UnitRow).where(UnitRow.credit_code == wanted.credit_code, UnitRow.id != row.id)
            )
            if clash is not None:
                raise RecordsError(text("errors.unit_exists", code=wanted.credit_code, name=clash.name))
            return unit_record(self._save(db, row, wanted))

    def enrol(self, person_key: str, display_name: str, unit: UnitInput) -> Unit:
        """Record which unit a person works for, adding the unit (or its missing domains) if needed."""
        wanted = unit.checked(domains_required=False)
        with self.database.writing() as db:
            row = db.scalar(
                select(UnitRow).where(UnitRow.credit_code == wanted.credit_code).with_for_update()
            )
            if row is None:
                row = self._save(db, None, wanted)
            else:
                current = unit_record(row)
                merged = replace(
                    unit_input(current),
                    domains=tuple(sorted({*current.domains, *wanted.domains})),
                    licence_no=wanted.licence_no or current.licence_no,
                )
                row = self._save(db, row, merged)
            person_id, _ = person_for_update(db, person_key, display_name, self.database.now())
            db.execute(update(PersonRow).where(PersonRow.id == person_id).values(unit_id=row.id))
            return unit_record(row)

    def _save(self, db: Session, row: UnitRow | None, unit: UnitInput) -> UnitRow:
        """Insert (``row`` None) or overwrite a unit with checked values."""
        now = self.database.now()
        if row is None:
            row = UnitRow(credit_code=unit.credit_code, created_at=now)
            db.add(row)
        else:
            row.updated_at = now
        row.name = unit.name
        row.credit_code = unit.credit_code
        row.licence_no = unit.licence_no or None
        row.address = unit.address
        row.contact = unit.contact
        have = {d.domain: d for d in row.domains}
        for code, domain_row in have.items():
            if code not in unit.domains:
                row.domains.remove(domain_row)
        row.domains.extend(UnitDomainRow(domain=d) for d in unit.domains if d not in have)
        db.flush()
        return row

    def import_sheet(
        self, name: str, content: bytes, *, partial: bool = False, actor: str = ""
    ) -> ImportReport:
        """Add or update (by credit code) every unit of the spreadsheet.

        All or nothing: when any row is bad nothing is stored, unless ``partial`` (then the good rows are).
        """
        report = ImportReport()
        good: list[tuple[int, UnitInput]] = []
        seen: dict[str, int] = {}
        for row in read_sheet(name, content, UNIT_COLUMNS, SheetLimits.of(self.database.settings)):
            try:
                unit = unit_from_row(row.values).checked()
            except RecordsError as error:
                report.rejected.append((row.line, str(error)))
                continue
            if unit.credit_code in seen:
                report.rejected.append(
                    (
                        row.line,
                        text(
                            "errors.unit_duplicate_line", code=unit.credit_code, line=seen[unit.credit_code]
                        ),
                    )
                )
                continue
            seen[unit.credit_code] = row.line
            good.append((row.line, unit))
        return apply_batch(
            self.database,
            "units",
            name,
            actor,
            report,
            good,
            lambda unit: unit.name,
            lambda db, batch, unit: self._import_one(db, batch, unit, report),
            partial,
        )

    def _import_one(self, db: Session, batch: ImportBatchRow, unit: UnitInput, report: ImportReport) -> str:
        """Add the unit, or update the one with its credit code (re-enabled if it was retired)."""
        row = db.scalar(select(UnitRow).where(UnitRow.credit_code == unit.credit_code).with_for_update())
        if row is None:
            added = self._save(db, None, unit)
            note_change(db, batch, added.id, "added")
            report.added += 1
            return text("sheet.unit_added", name=unit.name, code=unit.credit_code)
        before = unit_record(row)
        retired = row.retired_on is not None
        self._save(db, row, unit)
        row.retired_on, row.retire_reason = None, ""
        if unit_input(before) == unit and not retired:
            report.unchanged += 1
            return text("sheet.unit_unchanged", name=unit.name, code=unit.credit_code)
        note_change(db, batch, row.id, "updated", before.to_dict())
        report.updated += 1
        return text("sheet.unit_revived" if retired else "sheet.unit_updated", name=unit.name, code=unit.credit_code)

    def undo_import(self, batch_id: int, actor: str) -> str:
        """Undo an import: units it added are retired from the day of the import, updates are put back."""

        def remove(db: Session, batch: ImportBatchRow, row: UnitRow) -> None:
            row.retired_on = local_date(batch.at)
            row.retire_reason = text("sheet.undo_reason", batch=batch_id)

        def restore(db: Session, row: UnitRow, before: dict[str, Any]) -> None:
            self._save(
                db,
                row,
                UnitInput(
                    before["name"],
                    before["credit_code"],
                    tuple(before["domains"]),
                    before["licence_no"],
                    before["address"],
                    before["contact"],
                ),
            )
            row.retired_on = date.fromisoformat(before["retired_on"]) if before["retired_on"] else None
            row.retire_reason = before["retire_reason"]

        return undo_batch(self.database, "units", batch_id, actor, UnitRow, remove, restore)

    def retire(self, query: str, day: date, reason: str) -> Unit:
        """Retire a unit from ``day``: kept in history, out of coverage from that day, listed apart."""
        with self.database.writing() as db:
            row = find_unit(db, query)
            last = db.scalar(
                select(func.max(SessionRow.started_at)).where(
                    SessionRow.unit_id == row.id, SessionRow.kind == "onsite", SessionRow.deleted_at.is_(None)
                )
            )
            if last is not None and local_date(last) >= day:
                raise RecordsError(
                    text("errors.unit_retire_date", date=day.isoformat(), last=local_date(last).isoformat())
                )
            row.retired_on, row.retire_reason, row.updated_at = day, reason.strip(), self.database.now()
            db.flush()
            return unit_record(row)

    # --- self-registration ------------------------------------------------------------------------

    def request(self, person_key: str, display_name: str, name: str, credit_code: str) -> Unit | UnitRequest:
        """Link the person to the registered unit with this code, or queue the unit for an admin."""
        try:
            code = normalize_credit_code(credit_code)
        except InvalidCreditCode as error:
            raise RecordsError(str(error)) from None
        name = check_name(name, "单位名称")
        if not name:
            raise RecordsError(text("errors.unit_name_empty"))
        now = self.database.now()
        with self.database.writing() as db:
            person_id, _ = person_for_update(db, person_key, display_name, now)
            unit = db.scalar(select(UnitRow).where(UnitRow.credit_code == code))
            if unit is not None:
                db.execute(update(PersonRow).where(PersonRow.id == person_id).values(unit_id=unit.id))
                return unit_record(unit)
            request = UnitRequestRow(person_id=person_id, name=name, credit_code=code, requested_at=now)
            db.add(request)
            db.flush()
            return UnitRequest(request.id, display_name, request.name, code, now)

    def pending(self) -> builtins.list[UnitRequest]:
        """Self-registrations waiting for an admin, oldest first."""
        with self.database.reading() as db:
            rows = db.execute(
                select(UnitRequestRow, PersonRow.display_name)
                .join(PersonRow, PersonRow.id == UnitRequestRow.person_id)
                .where(UnitRequestRow.resolved_at.is_(None))
                .order_by(UnitRequestRow.id)
            ).all()
            return [UnitRequest(r.id, person, r.name, r.credit_code, r.requested_at) for r, person in rows]

    def resolve(self, request_id: int, domains: tuple[str, ...] | None) -> Unit | None:
        """Confirm a request (add the unit with ``domains``, link the person) or reject it (``None``)."""
        with self.database.writing() as db:
            request = db.get(UnitRequestRow, request_id, with_for_update=True)
            if request is None or request.resolved_at is not None:
                raise RecordsError(text("errors.unit_request_unknown", id=request_id))
            request.resolved_at = self.database.now()
            if domains is None:
                request.resolution = "rejected"
                return None
            request.resolution = "confirmed"
            unit = UnitInput(request.name, request.credit_code, domains).checked()
            row = db.scalar(select(UnitRow).where(UnitRow.credit_code == unit.credit_code))
            row = row or self._save(db, None, unit)
            db.execute(update(PersonRow).where(PersonRow.id == request.person_id).values(unit_id=row.id))
            return unit_record(row)
