"""Security of the web application against the real server: sign-in required, CSRF, throttling, cookie
flags, escaping of hostile unit names on every page and in downloads, the secret key rule."""

from __future__ import annotations

import dataclasses
import io
import re

import httpx
import pytest
from openpyxl import load_workbook

from bot.records.units.register import UnitInput
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.security import LoginThrottle, secret_key
from knowledge.errors import ConfigError
from tests.support.outreach import credit_code
from tests.support.web import ADMIN, INSPECTOR, SECRET, LiveServer, csrf_of, serving

CONSOLE_PAGES = [
    "/console/",
    "/console/units",
    "/console/sessions",
    "/console/sessions/new",
    "/console/stats",
    "/console/stats/chart.png",
    "/console/stats/export?format=xlsx",
    "/console/stats/annual",
    "/console/briefs",
    "/console/cases",
    "/console/accounts",
    "/console/training",
    "/console/training/exam?questions=10&seed=1",
    "/console/questions",
]
SCRIPT_NAME = "<script>alert(1)</script>实验动物中心"
FORMULA_NAME = '=HYPERLINK("http://evil.example","点击")'


def test_every_console_page_refuses_an_anonymous_request(live_server: LiveServer) -> None:
    with live_server.client() as client:
        for path in CONSOLE_PAGES:
            response = client.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/console/login?next="), path
        console_forms = [p for p in live_server.post_paths() if p.startswith("/console/")]
        token = csrf_of(client.get("/console/login"))
        for path in console_forms:
            if path.startswith(("/console/login", "/console/logout", "/console/setup/")):
                continue
            response = client.post(path, data={"csrf_token": token})
            assert response.status_code == 401, path
            assert "请先登录" in response.text


def test_a_form_without_its_csrf_token_is_refused(live_server: LiveServer) -> None:
    with live_server.client() as client:
        assert live_server.login(client, *ADMIN).status_code == 303
        paths = live_server.post_paths()
        assert len(paths) >= 12
        for path in paths:
            response = client.post(path, data={"question": "实验动物可以混养吗？", "name": "x"})
            assert response.status_code == 403, path
            assert "表单已过期或来源不明" in response.text
            wrong = client.post(path, data={"csrf_token": "forged", "question": "实验动物可以混养吗？"})
            assert wrong.status_code == 403, path
        assert client.get("/console/").status_code == 200  # still signed in: nothing was done


def test_an_inspector_cannot_manage_units_or_accounts(live_server: LiveServer) -> None:
    with live_server.client() as client:
        assert live_server.login(client, *INSPECTOR).status_code == 303
        assert client.get("/console/accounts").status_code == 403
        token = csrf_of(client.get("/console/units"))
        refused = client.post("/console/units/add", data={"csrf_token": token, "name": "某单位"})
        assert refused.status_code == 403
        assert "需要管理员" in refused.text
        assert client.get("/console/sessions/new").status_code == 200


def test_the_session_cookie_is_httponly_samesite_and_signed(live_server: LiveServer) -> None:
    with live_server.client() as client:
        response = live_server.login(client, *ADMIN)
        cookie = response.headers["set-cookie"]
        assert "pufa_session=" in cookie
        assert "httponly" in cookie.lower()
        assert "samesite=lax" in cookie.lower()
        assert "max-age=43200" in cookie.lower()
        value = client.cookies["pufa_session"]
    with live_server.client() as other:
        other.cookies.set("pufa_session", value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB"))
        assert other.get("/console/").status_code == 303  # a tampered cookie is no session


def test_login_throttle_counts_names_and_addresses_within_the_window() -> None:
    now = [0.0]
    throttle = LoginThrottle(attempts=2, address_attempts=3, window_s=60, clock=lambda: now[0])
    throttle.failed("甲", "10.0.0.1")
    assert throttle.wait_s("甲", "10.0.0.1") == 0
    throttle.failed("甲", "10.0.0.2")
    assert throttle.wait_s("甲", "10.0.0.9") == 60  # the name is held whatever the address
    throttle.failed("乙", "10.0.0.1")
    throttle.failed("丙", "10.0.0.1")
    assert throttle.wait_s("丁", "10.0.0.1") == 60  # the address is held whatever the name
    now[0] = 30
    assert throttle.wait_s("甲", "10.0.0.5") == 30
    now[0] = 61
    assert throttle.wait_s("甲", "10.0.0.5") == 0
    assert throttle.wait_s("丁", "10.0.0.1") == 0


def test_login_throttling_holds_even_with_the_right_password(live_server: LiveServer) -> None:
    with live_server.client() as client:
        for _ in range(5):
            token = csrf_of(client.get("/console/login"))
            failed = client.post("/console/login", data={"name": INSPECTOR[0], "password": "wrong-password", "csrf_token": token})
            assert failed.status_code == 401
            assert "账号或密码错误" in failed.text
        token = csrf_of(client.get("/console/login"))
        held = client.post("/console/login", data={"name": INSPECTOR[0], "password": INSPECTOR[1], "csrf_token": token})
        assert held.status_code == 429
        assert re.search(r"请 \d+ 分钟后再试", held.text)
        assert client.get("/console/").status_code == 303  # not signed in
        assert live_server.login(client, *ADMIN).status_code == 303  # another name from this address is not held


def test_the_secret_key_is_required_outside_loopback_development() -> None:
    with pytest.raises(ConfigError, match="PUFA_WEB_SECRET_KEY"):
        secret_key(Settings(), "127.0.0.1", dev=False)
    with pytest.raises(ConfigError, match="--dev"):
        secret_key(Settings(), "0.0.0.0", dev=True)
    with pytest.raises(ConfigError, match="太短"):
        secret_key(Settings(web_secret_key="short"), "127.0.0.1", dev=False)
    assert len(secret_key(Settings(), "::1", dev=True)) >= 32
    assert secret_key(Settings(web_secret_key="k" * 40), "0.0.0.0", dev=False) == "k" * 40


@pytest.mark.parametrize("name", [SCRIPT_NAME, FORMULA_NAME], ids=["script", "formula"])
def test_a_hostile_unit_name_shows_as_text_on_every_page_and_in_downloads(live_server: LiveServer, name: str) -> None:
    serial = 900 + len(name)
    code = credit_code(serial)
    live_server.services.records.units.add(UnitInput(name, code, ("lab_animals",)))
    with live_server.client() as client:
        assert live_server.login(client, *ADMIN).status_code == 303
        form = client.get("/console/sessions/new")
        today = re.search(r'name="date" type="date" max="([\d-]+)"', form.text)
        assert today is not None
        saved = client.post(
            "/console/sessions/new",
            data={"csrf_token": csrf_of(form), "unit": code, "date": today.group(1), "attendees": "3", "topic": name},
        )
        assert saved.status_code == 303, saved.text
        pages = ["/console/units", f"/console/units/{code}", "/console/sessions", "/console/sessions/new", "/console/briefs"]
        for path in pages:
            body = client.get(path).text
            assert "<script>alert(1)" not in body, path
            if name == SCRIPT_NAME:
                assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, path
        exported = client.get("/console/stats/export?format=xlsx")
        assert exported.status_code == 200
        sheet = load_workbook(io.BytesIO(exported.content)).active
        cells = [c for row in sheet.iter_rows() for c in row if c.value == name]
        assert cells, "the unit is in the export under its own name"
        for cell in cells:
            assert cell.data_type == "s", cell.coordinate  # stored as text, never a formula
        csv_text = client.get("/console/stats/export?format=csv").content.decode("utf-8-sig")
        assert "\n=" not in csv_text and ",=" not in csv_text
        brief = client.get("/console/briefs/download", params={"unit": code})
        assert brief.status_code == 200
        assert brief.headers["content-disposition"].startswith("attachment;")


def test_security_headers_are_set(live_server: LiveServer) -> None:
    response = httpx.get(live_server.url + "/", timeout=30)
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["server-timing"].startswith("app;dur=")


def test_behind_https_the_session_cookie_is_secure(live_server: LiveServer) -> None:
    services = dataclasses.replace(live_server.services, settings=live_server.services.settings.with_changes(web_https=True))
    with serving(create_app(services, SECRET)) as url, httpx.Client(base_url=url) as client:
        cookie = client.get("/console/login").headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
