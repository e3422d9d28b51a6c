"""Console accounts: argon2 hashes, one-time set-up links that expire and are spent, disabling, and a
linked Telegram id carrying the account's role into the bot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.records.accounts import WebAccountRow
from bot.records.errors import RecordsError
from bot.records.services import Records
from bot.settings import Settings
from tests.support.outreach import BACKENDS, backend_settings


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with backend_settings(request.param, tmp_path) as value:
        yield value


@pytest.fixture
def clock() -> list[datetime]:
    return [datetime(2026, 3, 1, 2, 0, tzinfo=UTC)]


@pytest.fixture
def records(settings: Settings, clock: list[datetime]) -> Iterator[Records]:
    opened = Records.open(settings, clock=lambda: clock[0])
    yield opened
    opened.close()


def test_a_password_is_stored_as_an_argon2_hash_and_checked(records: Records) -> None:
    account, token = records.accounts.add("王检查", "inspector", "correct horse battery")
    assert token is None and account.has_password and not account.is_admin
    with records.database.reading() as db:
        stored = db.scalar(select(WebAccountRow.password_hash).where(WebAccountRow.id == account.id))
    assert stored is not None and stored.startswith("$argon2") and "correct horse" not in stored
    assert records.accounts.authenticate("王检查", "correct horse battery") == account
    assert records.accounts.authenticate("王检查", "wrong horse battery") is None
    assert records.accounts.authenticate("无此人", "correct horse battery") is None


def test_a_one_time_link_sets_the_password_once_and_expires(records: Records, clock: list[datetime]) -> None:
    account, token = records.accounts.add("赵检查", "inspector")
    assert token and not account.has_password
    assert records.accounts.authenticate("赵检查", "") is None
    with pytest.raises(RecordsError, match="密码长度"):
        records.accounts.set_password(token, "short")
    assert records.accounts.set_password(token, "long enough password").has_password
    with pytest.raises(RecordsError, match="链接无效或已过期"):
        records.accounts.set_password(token, "another long password")
    assert records.accounts.authenticate("赵检查", "long enough password") is not None
    later = records.accounts.new_setup_link(account.id)
    clock[0] += timedelta(days=8)
    assert records.accounts.setup_account(later) is None
    with pytest.raises(RecordsError, match="链接无效或已过期"):
        records.accounts.set_password(later, "a third long password")


def test_bad_names_roles_and_duplicates_are_refused_in_chinese(records: Records) -> None:
    with pytest.raises(RecordsError, match="账号名"):
        records.accounts.add("<script>", "admin", "long enough password")
    with pytest.raises(RecordsError, match="未知的账号角色"):
        records.accounts.add("钱检查", "lab", "long enough password")
    records.accounts.add("钱检查", "inspector", "long enough password")
    with pytest.raises(RecordsError, match="已存在"):
        records.accounts.add("钱检查", "admin", "long enough password")


def test_a_linked_telegram_id_takes_the_role_and_loses_it_when_disabled(records: Records) -> None:
    admin, _ = records.accounts.add("孙管理", "admin", "long enough password")
    other, _ = records.accounts.add("李检查", "inspector", "long enough password")
    records.accounts.link_telegram(admin.id, 5150)
    assert records.people.role_of("tg:5150") == "admin"
    with pytest.raises(RecordsError, match="已关联到账号“孙管理”"):
        records.accounts.link_telegram(other.id, 5150)
    records.accounts.disable(admin.id)
    assert records.people.role_of("tg:5150") == "lab"
    assert records.accounts.get(admin.id) is None
    assert records.accounts.authenticate("孙管理", "long enough password") is None
