"""Console pages over the real server (no browser): accounts and their one-time links, ``pufa users``,
training records and the exam paper, the review of questions, the public page's limits and privacy."""

from __future__ import annotations

import io
import re
import sys

import pytest
from docx import Document

from bot.settings import Settings
from tests.support.cli import run_pufa
from tests.support.web import ADMIN, INSPECTOR, LiveServer, csrf_of


def ask(client, question: str):  # type: ignore[no-untyped-def]
    return client.post("/ask", data={"question": question, "csrf_token": csrf_of(client.get("/"))})


def test_an_admin_adds_an_account_whose_one_time_link_sets_the_password(live_server: LiveServer) -> None:
    with live_server.client() as admin:
        assert live_server.login(admin, *ADMIN).status_code == 303
        page = admin.get("/console/accounts")
        added = admin.post("/console/accounts", data={"csrf_token": csrf_of(page), "action": "add", "name": "赵检查", "role": "inspector"})
        assert added.status_code == 303
        shown = admin.get("/console/accounts").text
        link = re.search(r"(http://[^<\s]+/console/setup/[\w-]+)", shown)
        assert link is not None
        assert link.group(1) not in admin.get("/console/accounts").text  # shown once
    path = link.group(1).removeprefix(live_server.url)
    with live_server.client() as newcomer:
        form = newcomer.get(path)
        assert form.status_code == 200 and "赵检查" in form.text
        short = newcomer.post(path, data={"csrf_token": csrf_of(form), "password": "short", "again": "short"})
        assert short.status_code == 400 and "密码长度" in short.text
        done = newcomer.post(path, data={"csrf_token": csrf_of(form), "password": "a-long-password", "again": "a-long-password"})
        assert done.status_code == 303
        assert newcomer.get(path).status_code == 404  # spent
        assert live_server.login(newcomer, "赵检查", "a-long-password").status_code == 303
        assert newcomer.get("/console/sessions").status_code == 200
        assert newcomer.get("/console/accounts").status_code == 403


def test_a_linked_telegram_id_gets_the_accounts_role_in_the_bot(live_server: LiveServer) -> None:
    records = live_server.services.records
    inspector = next(a for a in records.accounts.list() if a.name == INSPECTOR[0])
    with live_server.client() as admin:
        live_server.login(admin, *ADMIN)
        page = admin.get("/console/accounts")
        bad = admin.post("/console/accounts", data={"csrf_token": csrf_of(page), "action": "telegram", "account": str(inspector.id), "telegram_id": "abc"})
        assert "Telegram ID 应为整数" in admin.get(bad.headers["location"]).text
        admin.post("/console/accounts", data={"csrf_token": csrf_of(page), "action": "telegram", "account": str(inspector.id), "telegram_id": "424242"})
    assert records.people.role_of("tg:424242") == "inspector"


def test_pufa_users_add_prints_a_link_or_takes_the_password_on_stdin(
    web_settings: Settings, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run_pufa(["users", "add", "钱检查", "--role", "inspector", "--base-url", live_server.url], web_settings, monkeypatch, capsys)
    assert outcome.code == 0, outcome.err
    assert f"{live_server.url}/console/setup/" in outcome.out
    monkeypatch.setattr(sys, "stdin", io.StringIO("stdin-password-1\n"))
    outcome = run_pufa(["users", "add", "孙管理", "--role", "admin", "--password-stdin"], web_settings, monkeypatch, capsys)
    assert outcome.code == 0 and "/console/setup/" not in outcome.out
    with live_server.client() as client:
        assert live_server.login(client, "孙管理", "stdin-password-1").status_code == 303
        assert client.get("/console/accounts").status_code == 200
    again = run_pufa(["users", "add", "孙管理", "--role", "admin", "--password-stdin"], web_settings, monkeypatch, capsys)
    assert again.code != 0 and "错误：" in again.err and "Traceback" not in again.err


def test_training_hours_are_recorded_and_an_exam_paper_downloads(live_server: LiveServer) -> None:
    with live_server.client() as client:
        live_server.login(client, *INSPECTOR)
        page = client.get("/console/training")
        bad = client.post("/console/training/add", data={"csrf_token": csrf_of(page), "inspector": INSPECTOR[0], "date": "2026-13-01", "hours": "3", "kind": "x"})
        assert "flash error" in client.get(bad.headers["location"]).text
        kind = re.search(r'<select id="t-kind" name="kind"><option>([^<]+)</option>', page.text)
        assert kind is not None
        day = re.search(r'name="date" type="date" value="([\d-]+)"', page.text)
        assert day is not None
        saved = client.post("/console/training/add", data={"csrf_token": csrf_of(page), "inspector": INSPECTOR[0], "date": day.group(1), "hours": "7.5", "kind": kind.group(1)})
        table = client.get(saved.headers["location"]).text
        row = re.search(rf"<tr><td>{INSPECTOR[0]}.*?</tr>", table, re.S)
        assert row is not None and "7.5" in row.group(0)
        paper = client.get("/console/training/exam", params={"questions": "10", "seed": "7", "part": "paper"})
        key = client.get("/console/training/exam", params={"questions": "10", "seed": "7", "part": "key"})
        assert paper.status_code == key.status_code == 200
        paragraphs = [p.text for p in Document(io.BytesIO(paper.content)).paragraphs]
        assert sum(1 for p in paragraphs if re.match(r"\d+[.．、]", p)) >= 10
        assert Document(io.BytesIO(key.content)).tables


def test_questions_are_logged_as_web_and_reviewed_when_disliked(live_server: LiveServer) -> None:
    with live_server.client() as visitor:
        asked = ask(visitor, "<b>饲养实验动物</b>需要什么许可证？")
        assert asked.status_code == 303
        page = visitor.get("/")
        assert "&lt;b&gt;饲养实验动物&lt;/b&gt;" in page.text and "<b>饲养实验动物</b>" not in page.text
        uid = re.search(r'name="turn" value="(\w+)"', page.text)
        assert uid is not None
        visitor.post("/feedback", data={"csrf_token": csrf_of(page), "turn": uid.group(1), "value": "-1"})
    with live_server.client() as stranger:  # nobody else can rate that answer
        other = stranger.post("/feedback", data={"csrf_token": csrf_of(stranger.get("/")), "turn": uid.group(1), "value": "+1"})
        assert other.status_code == 404
    with live_server.client() as admin:
        live_server.login(admin, *ADMIN)
        review = admin.get("/console/questions", params={"only": "disliked"}).text
        assert "&lt;b&gt;饲养实验动物&lt;/b&gt;需要什么许可证？" in review and "网页" in review


def test_a_visitor_is_limited_and_can_clear_their_history(live_server: LiveServer) -> None:
    limit = live_server.services.settings.questions_per_minute
    with live_server.client() as visitor:
        for _ in range(limit):
            ask(visitor, "实验动物可以混养吗？")
        over = ask(visitor, "实验动物可以混养吗？")
        shown = visitor.get(over.headers["location"]).text
        assert re.search(r"提问太频繁了，请 \d+ 秒后再试", shown)
        assert shown.count('class="turn"') == limit
        page = visitor.get("/forget")
        cleared = visitor.post("/forget", data={"csrf_token": csrf_of(page)})
        after = visitor.get(cleared.headers["location"]).text
        assert "已删除您的个人数据" in after and 'class="turn"' not in after
    with live_server.services.records.database.reading() as db:
        from sqlalchemy import func, select

        from bot.records.models import TurnRow

        kept = db.scalar(select(func.count()).select_from(TurnRow).where(TurnRow.question == "实验动物可以混养吗？"))
    assert kept == 0  # the texts are erased, the counts stay


def test_a_session_is_corrected_and_deleted_with_a_reason_and_the_audit_shows_both(live_server: LiveServer) -> None:
    from bot.records.units.register import UnitInput
    from tests.support.outreach import credit_code

    code = credit_code(777)
    live_server.services.records.units.add(UnitInput("审计测试动物中心", code, ("lab_animals",)))
    with live_server.client() as client:
        live_server.login(client, *INSPECTOR)
        form = client.get("/console/sessions/new")
        day = re.search(r'name="date" type="date" max="([\d-]+)"', form.text)
        assert day is not None
        future = client.post("/console/sessions/new", data={"csrf_token": csrf_of(form), "unit": code, "date": "2999-01-01", "attendees": "5"})
        assert future.status_code == 400 and "晚于今天" in future.text  # the records' own check and message
        unknown = client.post("/console/sessions/new", data={"csrf_token": csrf_of(form), "unit": "不存在的单位", "date": day.group(1), "attendees": "5"})
        assert unknown.status_code == 400 and "执法对象库中没有单位" in unknown.text
        saved = client.post("/console/sessions/new", data={"csrf_token": csrf_of(form), "unit": code, "date": day.group(1), "attendees": "5", "topic": "饲养管理"})
        listed = client.get(saved.headers["location"]).text
        number = re.search(r'<a href="/console/sessions/(\d+)">\d+</a></td><td>[^<]+</td><td>审计测试动物中心', listed)
        assert number is not None
        path = f"/console/sessions/{number.group(1)}"
        page = client.get(path)
        values = {"csrf_token": csrf_of(page), "unit": code, "date": day.group(1), "time": "09:00", "minutes": "60", "attendees": "12", "topic": "饲养管理"}
        client.post(path, data=values)
        no_reason = client.post(path + "/delete", data={"csrf_token": csrf_of(page), "reason": ""})
        assert "删除须填写原因" in client.get(no_reason.headers["location"]).text
        audit = client.get(path).text
        assert "修改" in audit and "attendees 5 → 12" in audit
        deleted = client.post(path + "/delete", data={"csrf_token": csrf_of(page), "reason": "重复登记"})
        assert "已删除普法活动" in client.get(deleted.headers["location"]).text
    trail = live_server.services.records.sessions.audit(int(number.group(1)))
    assert [entry["action"] for entry in trail] == ["create", "edit", "delete"]
    assert trail[-1]["details"]["reason"] == "重复登记" and trail[-1]["actor"] == f"web:{INSPECTOR[0]}"


def test_a_unit_is_retired_with_a_reason_and_the_annual_report_downloads(live_server: LiveServer) -> None:
    from bot.records.units.register import UnitInput
    from tests.support.outreach import credit_code

    code = credit_code(888)
    live_server.services.records.units.add(UnitInput("退出测试生物公司", code, ("human_genetic_resources",)))
    with live_server.client() as client:
        live_server.login(client, *ADMIN)
        page = client.get(f"/console/units/{code}")
        day = re.search(r'name="day" type="date" max="([\d-]+)"', page.text)
        assert day is not None
        no_reason = client.post(f"/console/units/{code}/retire", data={"csrf_token": csrf_of(page), "day": day.group(1), "reason": ""})
        assert "退出原因" in client.get(no_reason.headers["location"]).text
        done = client.post(f"/console/units/{code}/retire", data={"csrf_token": csrf_of(page), "day": day.group(1), "reason": "已注销"})
        assert f"已于 {day.group(1)} 退出监管" in client.get(done.headers["location"]).text
        report = client.get("/console/stats/annual")
        assert report.status_code == 200
        assert report.headers["content-disposition"].startswith("attachment;")
        assert any(p.text.strip() for p in Document(io.BytesIO(report.content)).paragraphs)
    assert live_server.services.records.units.find(code).retired_on is not None
