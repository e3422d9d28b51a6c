"""The web application for tests: a fresh migrated database, the real server (uvicorn) on a free loopback
port in a thread, accounts, and headless Chromium from Debian (``/usr/bin/chromium``) through Playwright.

Loaded as a plugin by tests/conftest.py; the server fixtures are module-scoped (one server per test file).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route

from bot.records.db import make_engine
from bot.records.schema import upgrade
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.services import WebServices
from knowledge.assistant import Assistant

SECRET = "test-secret-key-" + "x" * 40
ADMIN = ("管理员甲", "admin-password-1")
INSPECTOR = ("王检查", "inspector-password-1")
CHROMIUM = os.environ.get("PUFA_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("PUFA_WEB_SCREENSHOTS", "bench-results/web-screenshots"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    """The running web application: its base URL and the services behind it."""

    url: str
    services: WebServices
    app: Starlette

    def post_paths(self) -> list[str]:
        """Every path that takes a form, path parameters filled with a sample value."""
        paths = []
        for route in self.app.routes:
            if isinstance(route, Route) and "POST" in (route.methods or ()):
                paths.append(re.sub(r"\{(\w+)(:int)?\}", lambda m: "1" if m.group(2) else "sample", route.path))
        return paths

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=60, **kwargs)

    def login(self, client: httpx.Client, name: str, password: str) -> httpx.Response:
        token = csrf_of(client.get("/console/login"))
        return client.post("/console/login", data={"name": name, "password": password, "csrf_token": token})


def csrf_of(response: httpx.Response) -> str:
    """The CSRF token of the first form on the page."""
    marker = 'name="csrf_token" value="'
    start = response.text.index(marker) + len(marker)
    return response.text[start : response.text.index('"', start)]


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def web_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The session index (copied, so spool files stay here) with a fresh migrated SQLite database."""
    folder = tmp_path_factory.mktemp("web")
    data_dir = folder / "data"
    shutil.copytree(settings.data_dir / "index", data_dir / "index")
    value = settings.with_changes(
        data_dir=data_dir, database_url=f"sqlite:///{folder / 'web.sqlite3'}", web_secret_key=SECRET
    )
    engine = make_engine(value.effective_database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return value


@pytest.fixture(scope="module")
def live_server(web_settings: Settings, assistant: Assistant) -> Iterator[LiveServer]:
    """The real application served by uvicorn on 127.0.0.1, with an admin and an inspector account."""
    services = WebServices.open(web_settings, assistant)
    accounts = services.records.accounts
    accounts.add(*ADMIN[:1], "admin", ADMIN[1])
    accounts.add(*INSPECTOR[:1], "inspector", INSPECTOR[1])
    app = create_app(services, SECRET)
    try:
        with serving(app) as url:
            yield LiveServer(url, services, app)
    finally:
        services.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Headless Chromium (Debian's package, never a download) driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/setup.sh (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()
