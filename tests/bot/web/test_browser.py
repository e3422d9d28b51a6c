"""The web application in real headless Chromium against the real server: the bureau's year in the console
(sign in, import units with a bad row, record an on-site session, see it listed and counted, download the
export) and a lab's questions on the public page (cited article, feedback, follow-up); screenshots of the
main pages at desktop and phone widths, each checked for sideways overflow."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot.records.models import TurnRow
from tests.support.outreach import credit_code
from tests.support.web import ADMIN, SCREENSHOTS, LiveServer

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
UNIT_A = "康源实验动物技术有限公司"
UNIT_B = "华基因医学检验所"


def units_sheet(path: Path) -> Path:
    """Two good rows and, on line 3, a unit whose credit code is wrong."""
    book = Workbook()
    sheet = book.active
    sheet.append(["单位名称", "统一社会信用代码", "领域", "许可证号", "地址", "联系人"])
    sheet.append([UNIT_A, credit_code(501), "实验动物", "SYXK(京)2026-0001", "科技园1号", "李老师"])
    sheet.append(["坏行单位", "91110108ABCDEFGHIJ", "实验动物", "", "", ""])
    sheet.append([UNIT_B, credit_code(502), "人类遗传资源", "", "生命路2号", ""])
    book.save(path)
    return path


@pytest.fixture(scope="module")
def page(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
    context = chromium.new_context(base_url=live_server.url, viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    context.close()


def shoot(page: Any, name: str) -> None:
    """Screenshots at desktop and phone widths; every field labelled, the page never scrolls sideways,
    the text set in a Chinese font."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert unlabelled_fields(page) == [], name
    used = rendering_fonts(page, "h1")
    assert any(re.search(r"CJK|WenQuanYi|Han Sans", family) for family in used), used
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} overflows by {overflow}px at {label} width"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def rendering_fonts(page: Any, selector: str) -> list[str]:
    """The fonts Chromium really drew ``selector``'s text with (DevTools' platform fonts)."""
    devtools = page.context.new_cdp_session(page)
    try:
        devtools.send("DOM.enable")
        devtools.send("CSS.enable")
        root = devtools.send("DOM.getDocument")["root"]["nodeId"]
        node = devtools.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = devtools.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        devtools.detach()
    return [str(font["familyName"]) for font in fonts]


def unlabelled_fields(page: Any) -> list[str]:
    """Visible form fields that no <label for> names."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]), select, textarea')]
                 .filter(e => !(e.labels && e.labels.length))
                 .map(e => e.name || e.id)"""
        )
    )


def test_the_bureau_records_its_year_in_the_console(page: Any, live_server: LiveServer, tmp_path: Path) -> None:
    page.goto("/console/units")
    assert "/console/login" in page.url  # signed out: the login page
    shoot(page, "login")
    page.goto("/")
    shoot(page, "chat-empty")
    page.goto("/console/units")
    page.get_by_label("账号").fill(ADMIN[0])
    page.get_by_label("密码").fill(ADMIN[1])
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/console/units$"))

    page.get_by_label("表格文件").set_input_files(str(units_sheet(tmp_path / "执法对象.xlsx")))
    page.get_by_role("button", name="上传并检查").click()
    report = page.locator("#import-report")
    assert "第 3 行" in report.inner_text()
    assert "整个文件未导入" in report.inner_text()
    assert page.locator("#units").get_by_text(UNIT_A).count() == 0
    page.get_by_role("button", name="只导入正确的行").click()
    assert "已导入 2 行" in page.locator("#import-report").inner_text()
    assert page.locator("#units").get_by_text(UNIT_A).count() == 1
    shoot(page, "units")

    page.goto("/console/stats")
    attendees_before = int(page.locator("#attendees").inner_text())
    onsite_before = int(page.locator("#onsite").inner_text())

    page.goto("/console/sessions/new")
    assert unlabelled_fields(page) == []
    options = page.locator("#unit-list option")
    assert UNIT_A in [options.nth(i).get_attribute("value") for i in range(options.count())]
    article = page.locator("#article-list option").first.get_attribute("value")
    assert article and article.startswith("《")
    page.get_by_label("单位（输入名称或信用代码选择）").fill(UNIT_A)
    page.get_by_label("参加人数").fill("23")
    page.get_by_label("普法主题").fill("实验动物许可管理")
    page.get_by_label("王检查").check()
    page.get_by_label("讲解条文 1").fill(article)
    shoot(page, "session-form")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url(re.compile(r"/console/sessions\?year=\d{4}"))
    row = page.locator("#sessions tbody tr", has_text=UNIT_A)
    assert row.count() == 1
    assert "王检查" in row.inner_text() and "23" in row.inner_text()
    shoot(page, "sessions")

    page.goto("/console/stats")
    assert int(page.locator("#attendees").inner_text()) == attendees_before + 23
    assert int(page.locator("#onsite").inner_text()) == onsite_before + 1
    assert page.locator("img.chart").evaluate("img => img.complete && img.naturalWidth > 0")
    shoot(page, "stats")
    with page.expect_download() as pending:
        page.get_by_role("link", name="下载明细（Excel）").click()
    download = pending.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.name.endswith("年普法明细.xlsx")
    rows = [[c for c in r] for r in load_workbook(io.BytesIO(saved.read_bytes())).active.iter_rows(values_only=True)]
    assert any(UNIT_A in row and 23 in row for row in rows), rows
    for name in ("training", "questions", "briefs", "cases", "accounts"):
        page.goto(f"/console/{name}")
        shoot(page, name)


def test_a_lab_asks_gives_feedback_and_follows_up(chromium: Any, live_server: LiveServer) -> None:
    context = chromium.new_context(base_url=live_server.url, viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto("/")
        assert unlabelled_fields(page) == []
        page.get_by_label("您的问题").fill("实验动物可以混养吗？")
        page.get_by_role("button", name="提问").click()
        first = page.locator("article.turn").first
        first.wait_for()
        assert "法律依据" in first.inner_text()
        law = first.locator("blockquote.law").first
        cited = first.locator(".head", has_text=re.compile(r"《.+》.*第.+条"))  # the cited article's line
        assert cited.count() >= 1
        assert law.inner_text().strip()
        assert "不构成" in first.inner_text()  # the disclaimer
        first.locator("summary", has_text="查看原文").click()
        assert first.locator("details.sources blockquote.law").first.is_visible()
        first.get_by_role("button", name="👍 有帮助").click()
        assert "已记录您的评价" in page.locator(".flash").inner_text()
        assert page.locator("article.turn").first.get_by_role("button", name="👍 有帮助").get_attribute("aria-pressed") == "true"
        page.get_by_label("继续追问").fill("违反了会受到什么处罚？")
        page.get_by_role("button", name="提问").click()
        page.locator("article.turn").nth(1).wait_for()
        assert page.locator("article.turn").count() == 2
        law_title = re.search(r"《.+?》", cited.first.inner_text())
        assert law_title is not None
        follow_up = page.locator("article.turn").nth(1)
        assert follow_up.locator(".head", has_text=law_title.group(0)).count() >= 1  # same law, in context
        shoot(page, "chat")
        uids = [a.get_attribute("id") for a in page.locator("article.turn").all()]
    finally:
        context.close()
    with live_server.services.records.database.reading() as db:
        logged = db.execute(select(TurnRow.uid, TurnRow.feedback, TurnRow.channel)).all()
    by_uid = {uid: (feedback, channel) for uid, feedback, channel in logged}
    assert by_uid[uids[0].removeprefix("t-")] == (1, "web")
    assert by_uid[uids[1].removeprefix("t-")][1] == "web"
