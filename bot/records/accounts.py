"""Console accounts (admin / inspector): passwords hashed with argon2, one-time set-up links, a linked
Telegram id that gives the same person the same role in the bot."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import BigInteger, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.records.db import Database
from bot.records.errors import RecordsError
from bot.records.models import Base, UTCDateTime
from bot.records.people import People
from knowledge.templates import sentences

ACCOUNT_ROLES = ("admin", "inspector")
MIN_PASSWORD = 10
MAX_PASSWORD = 256
SETUP_LINK_DAYS = 7
_NAME = re.compile(r"^[\w.\-@\u4e00-\u9fff]{2,64}$")
text = sentences("web")  # prompts/web.toml
_hasher = PasswordHasher()
# verified against when the name is unknown, so a wrong name costs as long as a wrong password
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class WebAccountRow(Base):
    """A console account. ``password_hash`` stays empty until the one-time link is used."""

    __tablename__ = "web_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    setup_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    setup_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Account:
    """A console account as the web layer sees it (never the hash)."""

    id: int
    name: str
    role: str
    telegram_id: int | None
    active: bool
    has_password: bool

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def actor(self) -> str:
        """How the audit names this account's changes."""
        return f"web:{self.name}"


def _record(row: WebAccountRow) -> Account:
    return Account(
        id=row.id,
        name=row.name,
        role=row.role,
        telegram_id=row.telegram_id,
        active=row.disabled_at is None,
        has_password=row.password_hash is not None,
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_password(password: str) -> str:
    """The password if long enough; RecordsError in Chinese otherwise."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise RecordsError(text("errors.password_length", low=MIN_PASSWORD, high=MAX_PASSWORD))
    return password


class Accounts:
    """Console accounts over the records database; roles of linked Telegram users through ``people``."""

    def __init__(self, database: Database, people: People) -> None:
        self.database = database
        self.people = people

    def add(self, name: str, role: str, password: str | None = None) -> tuple[Account, str | None]:
        """A new account; without ``password`` it gets a one-time set-up token (returned once)."""
        name = name.strip()
        if not _NAME.match(name):
            raise RecordsError(text("errors.account_name_invalid", name=name))
        if role not in ACCOUNT_ROLES:
            raise RecordsError(text("errors.account_role_invalid", role=role))
        token = None if password is not None else secrets.token_urlsafe(32)
        now = self.database.now()
        with self.database.writing() as db:
            if db.scalar(select(WebAccountRow.id).where(WebAccountRow.name == name)) is not None:
                raise RecordsError(text("errors.account_exists", name=name))
            row = WebAccountRow(name=name, role=role, created_at=now)
            if password is not None:
                row.password_hash = _hasher.hash(check_password(password))
            else:
                assert token is not None
                row.setup_token_hash = _token_hash(token)
                row.setup_expires_at = now + timedelta(days=SETUP_LINK_DAYS)
            db.add(row)
            db.flush()
            return _record(row), token

    def new_setup_link(self, account_id: int) -> str:
        """A fresh one-time token for the account (the old password keeps working until it is used)."""
        token = secrets.token_urlsafe(32)
        with self.database.writing() as db:
            row = self._row(db, account_id)
            row.setup_token_hash = _token_hash(token)
            row.setup_expires_at = self.database.now() + timedelta(days=SETUP_LINK_DAYS)
        return token

    def setup_account(self, token: str) -> Account | None:
        """The account a still valid set-up token belongs to, else None."""
        with self.database.reading() as db:
            row = db.scalar(select(WebAccountRow).where(WebAccountRow.setup_token_hash == _token_hash(token)))
            if row is None or row.disabled_at is not None or not self._valid(row):
                return None
            return _record(row)

    def set_password(self, token: str, password: str) -> Account:
        """Use the one-time token to set the password; the token is spent."""
        check_password(password)
        with self.database.writing() as db:
            row = db.scalar(
                select(WebAccountRow)
                .where(WebAccountRow.setup_token_hash == _token_hash(token))
                .with_for_update()
            )
            if row is None or row.disabled_at is not None or not self._valid(row):
                raise RecordsError(text("errors.setup_link_invalid"))
            row.password_hash = _hasher.hash(password)
            row.setup_token_hash = None
            row.setup_expires_at = None
            return _record(row)

    def _valid(self, row: WebAccountRow) -> bool:
        return row.setup_expires_at is not None and row.setup_expires_at > self.database.now()

    def authenticate(self, name: str, password: str) -> Account | None:
        """The active account if ``password`` is its password, else None (same cost either way)."""
        with self.database.reading() as db:
            row = db.scalar(select(WebAccountRow).where(WebAccountRow.name == name.strip()))
            stored = row.password_hash if row is not None and row.disabled_at is None else None
            account = _record(row) if row is not None else None
        try:
            _hasher.verify(stored or _DUMMY_HASH, password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            return None
        return account if stored else None

    def get(self, account_id: int) -> Account | None:
        """The active account with this id, else None."""
        with self.database.reading() as db:
            row = db.get(WebAccountRow, account_id)
            return _record(row) if row is not None and row.disabled_at is None else None

    def list(self) -> list[Account]:
        with self.database.reading() as db:
            return [_record(r) for r in db.scalars(select(WebAccountRow).order_by(WebAccountRow.name))]

    def link_telegram(self, account_id: int, telegram_id: int | None) -> Account:
        """Link (or unlink with None) a Telegram id; the bot then gives that user the account's role."""
        with self.database.writing() as db:
            row = self._row(db, account_id)
            if telegram_id is not None:
                other = db.scalar(select(WebAccountRow.name).where(WebAccountRow.telegram_id == telegram_id))
                if other is not None and other != row.name:
                    raise RecordsError(text("errors.telegram_linked", id=telegram_id, name=other))
            previous, row.telegram_id = row.telegram_id, telegram_id
            account = _record(row)
        if previous is not None and previous != telegram_id:
            self.people.set_role(f"tg:{previous}", "lab")
        if telegram_id is not None:
            self.people.set_role(f"tg:{telegram_id}", account.role, account.name)
        return account

    def disable(self, account_id: int) -> Account:
        """Close the account (kept for the audit); a linked Telegram user goes back to the lab role."""
        with self.database.writing() as db:
            row = self._row(db, account_id)
            row.disabled_at = self.database.now()
            row.setup_token_hash = None
            account = _record(row)
        if account.telegram_id is not None:
            self.people.set_role(f"tg:{account.telegram_id}", "lab")
        return account

    def _row(self, db: Session, account_id: int) -> WebAccountRow:
        row = db.get(WebAccountRow, account_id, with_for_update=True)
        if row is None:
            raise RecordsError(text("errors.account_unknown", id=account_id))
        return row
