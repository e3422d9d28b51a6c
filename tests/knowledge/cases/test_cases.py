"""Typical cases: the published set in the index, bad case files refused (file and line, index untouched),
bureau cases from .docx with a sidecar, and case matching in answers (measured on held-out phrasings)."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import docx
import pytest

from bot.cli.knowledge import ask_record
from bot.render import render_html, render_plain
from knowledge.assistant import Assistant
from knowledge.errors import CorpusError
from knowledge.index.embedders import Embedder
from knowledge.models import ArticleRef
from tests.support.corpus import (
    LAB_ID,
    CachedEmbedder,
    ingest,
    run_cli,
    small_corpus,
    snapshot_bytes,
)

PHRASINGS = tomllib.loads((Path(__file__).with_name("case_phrasings.toml")).read_text(encoding="utf-8"))
HGR = "hgr-regulation-2019"
GOOD_CASE = f"""[[case]]
id = "local-feed-2025"
party = "某实验动物生产单位（匿名）"
facts = "使用未经质量检测的饲料喂养实验动物。"
penalty = ["警告", "限期改进"]
basis_then = "《实验动物管理条例》第十三条、第二十九条"
today = [{{doc = "{LAB_ID}", article = 13}}]
lesson = "实验动物饲料须符合质量标准。"
"""


def test_published_cases_are_indexed_with_existing_articles(assistant: Assistant, cases_dir: Path) -> None:
    published = tomllib.loads((cases_dir / "cases.toml").read_text(encoding="utf-8"))["case"]
    cases = assistant.library.cases
    assert list(cases) == [raw["id"] for raw in published]
    for raw in published:
        case = cases[raw["id"]]
        assert case.party == raw["party"] and case.facts == raw["facts"]
        assert case.today == tuple(ArticleRef(t["doc"], t["article"]) for t in raw["today"])
        assert all(ref in assistant.library.articles for ref in case.today)


@pytest.fixture
def built(tmp_path: Path, corpus_dir: Path, e5: Embedder) -> tuple[Path, Path, CachedEmbedder]:
    """A small corpus (实验动物管理条例) indexed with one bureau case in ``cases/``."""
    corpus = small_corpus(tmp_path / "corpus", corpus_dir, bureau=None)
    (corpus / "cases").mkdir()
    (corpus / "cases" / "bureau.toml").write_text(GOOD_CASE, encoding="utf-8")
    embedder = CachedEmbedder(e5)
    data_dir = tmp_path / "data"
    assert ingest(corpus, data_dir, embedder).cases == 1
    return corpus, data_dir, embedder


BAD_FILES = {
    "missing-article.toml": (GOOD_CASE.replace("article = 13", "article = 99"), 7, "第99条"),
    "unknown-doc.toml": (GOOD_CASE.replace(f'doc = "{LAB_ID}"', 'doc = "no-such-law"'), 7, "no-such-law"),
    "missing-field.toml": (GOOD_CASE.replace('lesson = "实验动物饲料须符合质量标准。"\n', ""), 1, "lesson"),
    "bad-penalty.toml": (
        GOOD_CASE.replace('penalty = ["警告", "限期改进"]', 'penalty = "警告"'),
        5,
        "penalty",
    ),
    "duplicate.toml": (GOOD_CASE, 0, "local-feed-2025"),
    "malformed.toml": (GOOD_CASE.replace("[[case]]", "[[case]"), 1, "TOML"),
    "second-case.toml": (
        GOOD_CASE.replace("local-feed-2025", "local-a")
        + "\n"
        + GOOD_CASE.replace("local-feed-2025", "local-b").replace("article = 13", "article = 120"),
        16,
        "第120条",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_case_file_is_refused_naming_file_and_line(
    built: tuple[Path, Path, CachedEmbedder], name: str
) -> None:
    corpus, data_dir, embedder = built
    content, line, detail = BAD_FILES[name]
    before = snapshot_bytes(data_dir)
    (corpus / "cases" / name).write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError) as raised:
        ingest(corpus, data_dir, embedder)
    message = str(raised.value)
    assert name in message and detail in message
    if line:
        assert f"{name}:{line}:" in message
    assert snapshot_bytes(data_dir) == before
    assert list(Assistant.open_library(data_dir).library.cases) == ["local-feed-2025"]


def test_bureau_case_from_docx_with_sidecar(built: tuple[Path, Path, CachedEmbedder]) -> None:
    corpus, data_dir, embedder = built
    document = docx.Document()
    document.add_paragraph("某单位将实验动物与野生动物混合饲养，")
    document.add_paragraph("检查时被发现。")
    document.save(str(corpus / "cases" / "混养案.docx"))
    sidecar = corpus / "cases" / "混养案.meta.toml"
    sidecar.write_text(
        'id = "local-mixed-2024"\nparty = "某高校实验动物中心（匿名）"\npenalty = ["限期改进"]\n'
        f'basis_then = "《实验动物管理条例》第十六条"\ntoday = [{{doc = "{LAB_ID}", article = 16}}]\n'
        'lesson = "不同品种、品系的实验动物不得混养，更不得与野生动物混养。"\ndecided = 2024-05-06\n',
        encoding="utf-8",
    )
    ingest(corpus, data_dir, embedder)
    case = Assistant.open_library(data_dir).library.cases["local-mixed-2024"]
    assert case.facts == "某单位将实验动物与野生动物混合饲养，检查时被发现。"
    assert case.decided == "2024-05-06" and case.source == "混养案.docx"
    assert case.today == (ArticleRef(LAB_ID, 16),)
    before = snapshot_bytes(data_dir)
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("article = 16", "article = 160"), "utf-8")
    with pytest.raises(CorpusError, match=r"混养案\.meta\.toml:5: today"):
        ingest(corpus, data_dir, embedder)
    assert snapshot_bytes(data_dir) == before
    sidecar.unlink()
    with pytest.raises(CorpusError, match=r"混养案\.docx: 缺少元数据文件"):
        ingest(corpus, data_dir, embedder)


def test_cli_ingest_reads_published_and_bureau_cases(
    built: tuple[Path, Path, CachedEmbedder], tmp_path: Path
) -> None:
    corpus, seed, _ = built
    data_dir = tmp_path / "cli-data"
    shutil.copytree(seed, data_dir)  # a copy this process never opened: the CLI owns it alone
    published = tmp_path / "published"
    published.mkdir()
    (published / "cases.toml").write_text(
        GOOD_CASE.replace("local-feed-2025", "published-water").replace("article = 13", "article = 14"),
        "utf-8",
    )
    done = run_cli(["ingest", str(corpus), "--quiet"], data_dir, tmp_path, cases_dir=published)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("；典型案例 2 件")
    assert list(Assistant.open_library(data_dir).library.cases) == ["local-feed-2025", "published-water"]
    missing = run_cli(["ingest", str(corpus), "--quiet"], data_dir, tmp_path, cases_dir=tmp_path / "nowhere")
    assert missing.returncode == 0 and "已公布案例目录不存在" in missing.stderr


def test_unapproved_export_gets_the_export_case(assistant: Assistant) -> None:
    answer = assistant.ask("没有审批就把人血清样本寄到国外检测，会受到什么处罚？")
    assert [c.id for c in answer.cases] == ["wuxi-serum-export-2016"]
    (cited,) = answer.cases
    assert cited.case.today == (
        ArticleRef(HGR, 27),
        ArticleRef(HGR, 38),
        ArticleRef("biosecurity-law-2024", 56),
    )
    assert set(cited.case.today) & set(answer.citations)
    plain = render_plain(answer)
    block = plain[plain.index("典型案例") :]
    for part in (
        cited.case.party,
        cited.case.facts,
        "没收并销毁",
        cited.case.lesson,
        "暂行办法",
        "已由2019年",
    ):
        assert part in block
    assert "《中华人民共和国人类遗传资源管理条例》第二十七条" in block
    assert any("典型案例" in part for part in render_html(answer))


def test_leftover_samples_get_the_leftover_case(assistant: Assistant) -> None:
    answer = assistant.ask("超出审批范围使用剩余人类遗传资源样本会被怎样处罚")
    assert [c.id for c in answer.cases] == ["astrazeneca-leftover-samples-2018"]
    assert answer.cases[0].case.today == (ArticleRef(HGR, 22), ArticleRef(HGR, 36))
    record = ask_record("q1", answer)
    assert record["cases"] == [{"id": "astrazeneca-leftover-samples-2018"}]
    assert json.loads(json.dumps(record, ensure_ascii=False))["citations"]


@pytest.mark.parametrize(
    "question", [p["question"] for p in PHRASINGS["test"] + PHRASINGS["dev"] if "实验动物" in p["question"]]
)
def test_lab_animal_question_gets_no_case(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.cases == []
    assert ask_record(1, answer)["cases"] == []
    assert "典型案例" not in render_plain(answer)


def test_held_out_phrasings_right_case_or_none(assistant: Assistant) -> None:
    """On phrasings never used for tuning: never a wrong case, never a case when none fits, most found."""
    right = missed = none_ok = 0
    for item in PHRASINGS["test"]:
        got = [c.id for c in assistant.ask(item["question"]).cases]
        if item["cases"]:
            assert set(got) <= set(item["cases"]), (item["question"], got)
            right, missed = right + bool(got), missed + (not got)
        else:
            assert got == [], (item["question"], got)
            none_ok += 1
    assert right >= 0.7 * (right + missed)
    assert none_ok == len([p for p in PHRASINGS["test"] if not p["cases"]])


def test_cases_cli_json_and_query(index_dir: Path, tmp_path: Path) -> None:
    listed = run_cli(["cases", "--json"], index_dir, tmp_path)
    assert listed.returncode == 0, listed.stderr
    records = json.loads(listed.stdout)
    assert len(records) == 6 and all({"id", "party", "today"} <= set(r) for r in records)
    assert records[0]["today"][0] == {"doc_id": HGR, "article": 27}
    by_article = json.loads(run_cli(["cases", "人遗条例第三十八条", "--json"], index_dir, tmp_path).stdout)
    assert [r["id"] for r in by_article] == ["wuxi-serum-export-2016"]
    by_word = run_cli(["cases", "保藏"], index_dir, tmp_path)
    assert by_word.returncode == 0 and "昆皓睿诚" in by_word.stdout and "典型案例" not in by_word.stderr
    none = run_cli(["cases", "混养"], index_dir, tmp_path)
    assert none.returncode == 1 and "没有找到" in none.stderr
