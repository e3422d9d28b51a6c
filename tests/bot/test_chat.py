"""The terminal chat: driven through io streams and through a real piped stdin."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.chat import parse_line, run_chat
from bot.records.services import Records
from bot.render import text
from bot.settings import Settings

REPO = Path(__file__).resolve().parents[2]
QUESTION = "两家供应商送来的小鼠能不能放在同一个饲养间一起养？"


def chat(assistant: object, store: Records, *lines: str) -> str:
    out = io.StringIO()
    code = run_chat(assistant, store, io.StringIO("\n".join(lines) + "\n"), out, user="tester")  # type: ignore[arg-type]
    assert code == 0
    return out.getvalue()


def test_parse_line_with_and_without_slash() -> None:
    assert parse_line("/cite 实验动物管理条例第十一条") == ("cite", "实验动物管理条例第十一条")
    assert parse_line("cite 实验动物管理条例第十一条") == ("cite", "实验动物管理条例第十一条")
    assert parse_line("LAWS") == ("laws", "")
    assert parse_line("/exit") == ("quit", "")
    assert parse_line("/frobnicate x") == ("unknown", "/frobnicate x")
    assert parse_line("实验动物可以混养吗") == (None, "实验动物可以混养吗")


def test_questions_and_commands(assistant: object, bot_store: Records) -> None:
    output = chat(
        assistant,
        bot_store,
        QUESTION,
        "/source",
        "/cite 实验动物管理条例第十一条",
        "search 不同来源的实验动物能否混养",
        "laws",
        "/cite",
        "/help",
        "/frobnicate",
        "",
        "/quit",
        "这一行在退出之后，不会被回答",
    )
    assert output.startswith(text("render.conclusion") + "\n"), "the answer starts with the conclusion"
    assert "<" not in output.replace("<<", "")
    assert "分开饲养" in output
    assert "第十一条" in output
    assert text("render.search_header", question="不同来源的实验动物能否混养") in output
    assert assistant.laws_text().strip() in output  # type: ignore[attr-defined]
    assert text("chat.empty_argument", example=text("bot.cite_example")) in output
    assert text("chat.help") in output
    assert text("chat.unknown_command") in output
    assert text("chat.banner") not in output, "no banner or prompt when stdin is not a terminal"
    history = bot_store.people.history("term:tester")
    assert [item.question for item in history] == [QUESTION]


def test_source_before_any_answer(assistant: object, bot_store: Records) -> None:
    assert chat(assistant, bot_store, "原文") == text("chat.source_none") + "\n\n"


def test_interactive_mode_shows_banner_and_prompt(assistant: object, bot_store: Records) -> None:
    out = io.StringIO()
    run_chat(assistant, bot_store, io.StringIO("help\n"), out, user="tester", interactive=True)  # type: ignore[arg-type]
    shown = out.getvalue()
    assert shown.startswith(text("chat.banner"))
    assert shown.count(text("chat.prompt")) == 2
    assert shown.rstrip().endswith(text("chat.bye"))


def _pufa_chat(settings: Settings, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PUFA_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.effective_database_url,
        "USER": "piped",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "chat"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=240,
    )


def test_piped_stdin_in_a_subprocess(bot_settings: Settings, bot_store: Records) -> None:
    result = _pufa_chat(bot_settings, f"{QUESTION}\n/quit\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(text("render.conclusion"))
    assert "Traceback" not in result.stderr
    assert [item.question for item in bot_store.people.history("term:piped")] == [QUESTION]


def test_missing_index_is_one_line_and_exit_2(tmp_path: Path, bot_settings: Settings) -> None:
    empty = Settings(data_dir=tmp_path / "nothing", database_url=bot_settings.effective_database_url)
    result = _pufa_chat(empty, "问题\n")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "pufa ingest" in result.stderr
    assert result.stdout == ""


def test_cases_command_lists_and_finds(assistant: object, bot_store: Records) -> None:
    output = chat(assistant, bot_store, "/cases", "cases 保藏", "/cases 混养")
    assert "典型案例（共 6 件）" in output and "百时美施贵宝（中国）投资有限公司" in output
    assert "bms-false-application-2020" not in output  # titles, not ids
    assert "案情：未经许可，接收上述企业转运的567管样本并保藏。" in output
    assert "没有找到与“混养”相关的典型案例" in output
    assert bot_store.people.history("term:tester") == []  # looking cases up is not a question


def test_a_follow_up_is_read_with_the_previous_question(assistant: object, bot_store: Records) -> None:
    output = chat(assistant, bot_store, "我们想和外国公司合作采集中国人的血液样本做研究，需要审批吗？", "那罚多少？")
    follow_up = output.split("那罚多少？")[-1] if "那罚多少？" in output else output.split("\n\n", 1)[-1]
    assert "人类遗传资源管理条例" in follow_up
    assert "抱歉" not in follow_up
