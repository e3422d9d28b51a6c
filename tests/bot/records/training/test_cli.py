"""`pufa quiz`, `pufa exam` and `pufa training …` as the operator runs them: the real CLI, the real index,
real SQLite and PostgreSQL, real .docx/.xlsx/.png files opened again."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document as open_docx
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from bot.cli.main import main
from bot.records.calendar import REPORT_TZ
from bot.records.db import make_engine
from bot.records.services import Records
from bot.records.training.models import TrainingRecordRow
from bot.settings import Settings
from knowledge.quiz import QuizBank
from tests.support.outreach import BACKENDS, backend_settings


def use(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Point the CLI (which reads the environment) at ``settings``' data dir and database."""
    monkeypatch.setenv("PUFA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.effective_database_url)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def stored(settings: Settings) -> int:
    engine = make_engine(settings.effective_database_url)
    try:
        with engine.connect() as connection:
            return (
                connection.scalar(
                    select(func.count()).select_from(TrainingRecordRow).where(TrainingRecordRow.deleted_at.is_(None))
                )
                or 0
            )
    finally:
        engine.dispose()


def test_quiz_json_contract_and_seed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use(monkeypatch, settings)
    code, out, _ = run(capsys, "quiz", "--json", "--n", "8", "--seed", "11", "--topic", "人类遗传资源")
    assert code == 0
    questions = json.loads(out)
    assert len(questions) == 8
    for q in questions:
        assert {"question", "choices", "answer", "doc_id", "article"} <= set(q)
        assert isinstance(q["choices"], list) and isinstance(q["article"], int)
        assert q["topic"] == "人类遗传资源" and q["doc_id"] in ("hgr-regulation-2019", "biosecurity-law-2024")
        assert q["citation"] and q["text"]
    assert (
        json.loads(run(capsys, "quiz", "--json", "--n", "8", "--seed", "11", "--topic", "人类遗传资源")[1])
        == questions
    )

    code, _, err = run(capsys, "quiz", "--n", "3", "--topic", "动物检疫")
    assert code == 2 and "未知的培训专题“动物检疫”" in err and "Traceback" not in err
    code, out, err = run(capsys, "quiz", "--n", "2")  # no seed: one is chosen and told
    assert code == 0 and "随机种子：" in err and "答案：" in out


def test_exam_writes_paper_and_answer_key(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use(monkeypatch, settings)
    out = tmp_path / "考试.docx"
    code, printed, _ = run(
        capsys,
        "exam",
        "--questions",
        "30",
        "--seed",
        "5",
        "--topics",
        "实验动物",
        "行政处罚",
        "--out",
        str(out),
    )
    key = tmp_path / "考试-答案.docx"
    assert code == 0 and out.is_file() and key.is_file() and str(key) in printed

    paper = open_docx(str(out))
    styles = [p.style.name for p in paper.paragraphs]
    assert styles[0] == "Title" and styles.count("Heading 1") >= 4  # one section per question kind
    numbered = [p.text for p in paper.paragraphs if re.match(r"\d+\. 依据《", p.text)]
    assert len(numbered) == 30
    east_asian = paper.styles["Normal"].element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east_asian == "宋体"
    assert not [p for p in paper.paragraphs if p.text.startswith("答：") and p.text != "答：＿＿＿＿＿＿＿＿"]
    assert not paper.tables  # the key is a separate document

    answers = open_docx(str(key))
    table = answers.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["题号", "题型", "分值", "答案", "条文依据"]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(rows) == 30 and sum(int(r[2]) for r in rows) == 100
    by_kind: dict[str, set[str]] = {}
    for row in rows:
        by_kind.setdefault(row[1], set()).add(row[2])
    assert all(len(points) == 1 for points in by_kind.values())  # one score per question kind
    assert all(r[4].startswith(("《实验动物管理条例》", "《行政处罚法》")) for r in rows)
    assert all(len(r[4]) <= 20 for r in rows)  # short citations: one line in the key's table
    no_wrap = table._tbl.xpath(".//w:tc[last()]/w:tcPr/w:noWrap")
    assert len(no_wrap) == 31
    headings = [p.text for p in answers.paragraphs if p.style.name == "Heading 2"]
    assert len(headings) == len({r[4] for r in rows})  # each cited article quoted under its full citation
    sections = [p.text for p in paper.paragraphs if p.style.name == "Heading 1"]
    assert all(re.search(r"每题 \d+ 分，共 \d+ 分", s) for s in sections)

    again = tmp_path / "again.docx"
    run(
        capsys,
        "exam",
        "--questions",
        "30",
        "--seed",
        "5",
        "--topics",
        "实验动物",
        "行政处罚",
        "--out",
        str(again),
    )
    assert [p.text for p in open_docx(str(again)).paragraphs] == [p.text for p in paper.paragraphs]


@pytest.mark.parametrize("backend", BACKENDS)
def test_training_add_report_flags_who_is_behind(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with backend_settings(backend, tmp_path) as settings:
        use(monkeypatch, settings)
        for day, hours, kind in (
            ("2025-02-10", "24", "讲座"),
            ("2025-05-10", "24", "模拟执法"),
            ("2025-09-01", "12", "知识竞赛"),
        ):
            assert (
                run(
                    capsys,
                    "training",
                    "add",
                    "--inspector",
                    "王五",
                    "--date",
                    day,
                    "--hours",
                    hours,
                    "--kind",
                    kind,
                )[0]
                == 0
            )
        assert (
            run(
                capsys,
                "training",
                "add",
                "--inspector",
                "赵六",
                "--date",
                "2025-03-01",
                "--hours",
                "2.5",
                "--kind",
                "闭卷考试",
                "--topic",
                "行政处罚",
                "--score",
                "72",
            )[0]
            == 0
        )
        assert (
            run(
                capsys,
                "training",
                "add",
                "--inspector",
                "赵六",
                "--date",
                "2024-12-31",
                "--hours",
                "20",
                "--kind",
                "讲座",
            )[0]
            == 0
        )  # another year

        code, _, err = run(
            capsys,
            "training",
            "add",
            "--inspector",
            "赵六",
            "--date",
            "2025-02-30",
            "--hours",
            "2",
            "--kind",
            "讲座",
        )
        assert code == 2 and "日期" in err and "2025-02-30" in err
        code, _, err = run(
            capsys,
            "training",
            "add",
            "--inspector",
            "赵六",
            "--date",
            "2025-02-03",
            "--hours",
            "2",
            "--kind",
            "茶话会",
        )
        assert code == 2 and "培训形式“茶话会”无效" in err and "培训班" in err and "自学" in err
        assert stored(settings) == 5

        xlsx, chart = tmp_path / "r.xlsx", tmp_path / "r.png"
        code, out, _ = run(
            capsys,
            "training",
            "report",
            "--year",
            "2025",
            "--json",
            "--xlsx",
            str(xlsx),
            "--chart",
            str(chart),
        )
        assert code == 0
        report = {row["inspector"]: row for row in json.loads(out)}
        assert (
            report["王五"]["hours"] == 60
            and report["王五"]["required"] == 60
            and report["王五"]["behind"] is False
        )
        assert report["赵六"]["hours"] == 2.5 and report["赵六"]["behind"] is True
        assert report["赵六"]["exam_score"] == 72 and report["赵六"]["hours_short"] == 57.5
        assert report["赵六"]["weeks_left"] == 0  # 2025 is over

        sheet = load_workbook(xlsx).active
        assert sheet["A1"].value == "执法人员" and sheet.max_row == 3
        assert {sheet.cell(r, 1).value: sheet.cell(r, 4).value for r in (2, 3)} == {
            "赵六": "是",
            "王五": "否",
        }
        assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        code, out, _ = run(capsys, "training", "report", "--year", "2025")
        assert "赵六：2.5 / 60 学时" in out and "差 57.5 学时" in out and "共 2 人，未达标 1 人" in out


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.parametrize("backend", BACKENDS)
def test_import_is_all_or_nothing_with_bad_rows_named_by_line(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with backend_settings(backend, tmp_path) as settings:
        use(monkeypatch, settings)
        run(
            capsys,
            "training",
            "add",
            "--inspector",
            "王五",
            "--date",
            "2025-01-05",
            "--hours",
            "3",
            "--kind",
            "讲座",
        )
        header = ["执法人员", "日期", "学时", "形式", "专题", "成绩"]
        bad = _write_csv(
            tmp_path / "bad.csv",
            [
                header,
                ["张三", "2025-03-01", "2", "讲座", "实验动物", ""],
                ["李四", "2025-03-01", "两小时", "讲座", "", ""],
                [],
                ["王五", "2025/03/01", "2", "讲座", "", ""],
                ["王五", "2025-04-01", "2", "闭卷考试", "法律", "120"],
            ],
        )
        code, _, err = run(capsys, "training", "import", str(bad))
        assert code == 2 and "有 3 行有错误，未导入任何记录" in err
        assert "第 3 行：学时" in err and "第 5 行：日期" in err and "第 6 行：专题“法律”无效" in err
        assert "第 2 行" not in err
        assert stored(settings) == 1  # nothing of the file was stored

        code, _, err = run(
            capsys, "training", "import", str(_write_csv(tmp_path / "h.csv", [["姓名", "日期"], ["x", "y"]]))
        )
        assert code == 2 and "第1行（表头）缺少必填列：执法人员、学时、形式" in err

        book = Workbook()
        book.active.append(header)
        book.active.append(["张三", datetime(2025, 3, 1), 2, "讲座", "实验动物", None])
        book.active.append(["张三", date(2025, 6, 1), 1.5, "闭卷考试", "人类遗传资源", 90])
        book.save(tmp_path / "good.xlsx")
        code, out, _ = run(capsys, "training", "import", str(tmp_path / "good.xlsx"))
        assert code == 0 and "新增 2 条，已存在 0 条" in out
        assert stored(settings) == 3
        code, _, err = run(capsys, "training", "import", str(tmp_path / "good.txt"))
        assert code == 2 and "只支持 .csv 或 .xlsx" in err


def _hours(capsys: pytest.CaptureFixture[str]) -> dict[str, float]:
    code, out, _ = run(capsys, "training", "report", "--year", "2025", "--json")
    assert code == 0
    return {row["inspector"]: row["hours"] for row in json.loads(out)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_reimporting_a_sheet_counts_nothing_twice_and_a_batch_can_be_undone(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with backend_settings(backend, tmp_path) as settings:
        use(monkeypatch, settings)
        header = ["执法人员", "日期", "学时", "形式", "专题", "成绩"]
        rows = [header, *([f"检查员{n}", "2025-03-01", "4", "讲座", "", ""] for n in range(5))]
        rows.append(["检查员0", "2025-03-02", "2", "自学", "", ""])  # a synonym of 自学/练习
        sheet = tmp_path / "培训.csv"
        sheet.write_bytes("\n".join(",".join(r) for r in rows).encode("gbk"))  # a GBK sheet from Excel
        code, out, _ = run(capsys, "training", "import", str(sheet))
        assert code == 0 and "新增 6 条，已存在 0 条" in out
        first = _hours(capsys)
        assert first["检查员0"] == 6 and stored(settings) == 6

        code, out, _ = run(capsys, "training", "import", str(sheet))
        assert code == 0 and "新增 0 条，已存在 6 条，未重复计入" in out
        assert _hours(capsys) == first and stored(settings) == 6

        rows[1][2] = "5"  # a corrected row updates the record it matches
        sheet.write_bytes("\n".join(",".join(r) for r in rows).encode("utf-8-sig"))
        code, out, _ = run(capsys, "training", "import", str(sheet))
        assert "新增 0 条，已存在 6 条" in out and "其中 1 条按表格更新" in out and "学时 4→5" in out
        assert _hours(capsys)["检查员0"] == 7 and stored(settings) == 6
        batch = out.split("pufa training import --undo ")[1].split()[0]

        code, out, _ = run(capsys, "training", "import", "--undo", batch)
        assert code == 0 and "恢复被更新的 1 条" in out
        assert _hours(capsys) == first
        code, _, err = run(capsys, "training", "import", "--undo", batch)
        assert code == 2 and f"导入批次 {batch} 已于" in err
        code, out, _ = run(capsys, "training", "import", "--undo", "1")
        assert code == 0 and "删除新增 6 条" in out and stored(settings) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_future_dates_refused_and_partial_imports_the_good_rows(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with backend_settings(backend, tmp_path) as settings:
        use(monkeypatch, settings)
        future = (datetime.now(REPORT_TZ).date() + timedelta(days=400)).isoformat()
        code, _, err = run(
            capsys, "training", "add", "--inspector", "王五", "--date", future, "--hours", "2", "--kind", "讲座"
        )
        assert code == 2 and f"日期 {future} 晚于今天" in err
        sheet = _write_csv(
            tmp_path / "s.csv",
            [
                ["执法人员", "日期", "学时", "形式"],
                ["王五", "2025-03-01", "2", "网络学习"],
                ["王五", future, "2", "讲座"],
                ["王五", "2025-03-01", "3", "网络学习"],
            ],
        )
        code, _, err = run(capsys, "training", "import", str(sheet))
        assert code == 2 and "加 --partial 只导入正确的行" in err and stored(settings) == 0
        code, out, _ = run(capsys, "training", "import", str(sheet), "--partial")
        assert code == 0 and "新增 1 条" in out and "与第 2 行是同一执法人员" in out
        assert stored(settings) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_quiz_practice_counts_as_self_study_and_shows_weak_topics(
    backend: str, tmp_path: Path, settings: Settings
) -> None:
    from knowledge.index.snapshot import read_snapshot
    from knowledge.law.library import Library

    bank = QuizBank.from_library(Library(read_snapshot(settings.data_dir)))
    with backend_settings(backend, tmp_path, quiz_minutes_per_question=3.0) as db_settings:
        records = Records.open(db_settings, clock=lambda: datetime(2025, 6, 1, 2, tzinfo=UTC))
        store = records.training
        records.people.set_role("tg:42", "inspector", "孙七")
        for seed, correct in enumerate([True] * 6 + [False] * 4):
            question = bank.practice(seed, ["行政许可" if correct else "人类遗传资源"])
            store.record_answer("tg:42", question, correct, 12.0)
        summary = {s.inspector: s for s in store.report(2025, today=date(2025, 6, 1)).inspectors}["孙七"]
        assert summary.quiz_answered == 10 and summary.quiz_correct == 6 and summary.quiz_rate == 60.0
        assert summary.quiz_hours == pytest.approx(0.5) and summary.hours == pytest.approx(0.5)
        assert summary.weakest_topics == ["人类遗传资源"]
        assert summary.behind and summary.weeks_left == 30
        records.close()
