"""Quality floors on the dev set, the search batch contract and the article counts of the corpus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ingest.sources import load_corpus
from knowledge.assistant import Assistant
from knowledge.evaluation import evaluate_answers, evaluate_retrieval, load_items


@pytest.fixture(scope="module")
def dev_items(corpus_dir: Path):
    return load_items(corpus_dir.parent / "eval" / "dev.jsonl")


def test_retrieval_floors_on_dev(assistant: Assistant, dev_items) -> None:
    hybrid = evaluate_retrieval(assistant, dev_items)["hybrid"]
    assert hybrid["lab"]["recall@5"] >= 0.95
    assert hybrid["lab"]["recall@1"] >= 0.80


def test_explicit_references_are_exact(assistant: Assistant, dev_items) -> None:
    explicit = [
        item for item in dev_items if item.kind == "inspector" and assistant.cite(item.question).found
    ]
    assert len(explicit) >= 4
    for item in explicit:
        assert assistant.search(item.question, 1)[0].ref in item.gold, item.question


def test_answer_floors_on_dev(assistant: Assistant, dev_items) -> None:
    scores = evaluate_answers(assistant, dev_items)["all"]
    assert scores["citation_recall"] >= 0.90
    assert scores["citation_precision"] >= 0.70
    assert scores["out_of_scope_declined"] >= 0.95
    assert scores["false_declines"] <= 0.05


# Counted by hand in the source files: the last article of each law and no gaps.
ARTICLE_COUNTS = {
    "lab-animal-regulation": 33,
    "hgr-regulation-2019": 47,
    "biosecurity-law-2020": 88,
    "biosecurity-law-2024": 88,
    "admin-penalty-law": 86,
    "admin-license-law": 83,
    "pathogen-lab-regulation-2018": 72,
    "animal-epidemic-law": 113,
    "wildlife-protection-law": 64,
}


def test_every_corpus_file_parses_to_its_article_count(corpus_dir: Path) -> None:
    corpus = load_corpus(corpus_dir)
    counts = {s.document.id: len(s.parsed.articles) for s in corpus.sources}
    assert counts == ARTICLE_COUNTS
    assert not corpus.warnings
    hgr = next(s for s in corpus.sources if s.document.id == "hgr-regulation-2019").parsed
    article_22 = hgr.articles[21]
    assert (article_22.number, article_22.chapter) == (22, "第三章 利用和对外提供")
    assert len(article_22.paragraphs) == 2 and len(article_22.paragraphs[0].items) == 7
    penalty = next(s for s in corpus.sources if s.document.id == "admin-penalty-law").parsed
    assert penalty.articles[50].section == "第二节 简易程序"


def test_search_jsonl_contract(settings) -> None:
    env = {**os.environ, "PUFA_DATA_DIR": str(settings.data_dir)}
    stdin = "\n".join(
        json.dumps(x, ensure_ascii=False)
        for x in ({"id": 1, "question": "实验动物饲料霉变能用吗"}, {"id": "b", "question": "人遗条例第22条"})
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "search", "--jsonl"],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["id"] == 1 and len(first["results"]) == 10
    assert set(first["results"][0]) == {"doc_id", "article", "score", "title"}
    scores = [r["score"] for r in first["results"]]
    assert scores == sorted(scores, reverse=True)
    assert second["results"][0] == {
        "doc_id": "hgr-regulation-2019",
        "article": 22,
        "score": 1.0,
        "title": "中华人民共和国人类遗传资源管理条例",
    }


def test_search_as_of_and_domain(assistant: Assistant) -> None:
    question = "向境外提供人类遗传资源信息要事先报告吗"
    then = assistant.search(question, 10, as_of=date(2022, 1, 1))
    assert {h.ref.doc_id for h in then} & {"biosecurity-law-2020"}
    assert "biosecurity-law-2024" not in {h.ref.doc_id for h in then}
    lab_only = assistant.search("饲料", 10, domain="lab_animals")
    assert all("lab_animals" in assistant.library.document(h.ref.doc_id).domains for h in lab_only)


def test_answer_figures_per_kind_tolerate_blind_set_fields(assistant: Assistant, tmp_path: Path) -> None:
    lines = [
        {
            "id": "t1",
            "kind": "lab",
            "category": "lab_animal",
            "expect": "no",
            "question": "不同品系的实验动物可以混在一起运输吗",
            "gold": [{"doc": "lab-animal-regulation", "article": 21}],
            "acceptable": [],
            "must_mention": [],
        },
        {
            "id": "t2",
            "kind": "inspector",
            "category": "explicit_typo",
            "question": "行政许可去第十二条",
            "gold": [{"doc": "admin-license-law", "article": 12}],
            "acceptable": [],
            "must_mention": [],
        },
        {
            "id": "t3",
            "kind": "out_of_scope",
            "category": "chitchat",
            "question": "周末去哪里爬山好",
            "gold": [],
            "acceptable": [],
            "must_mention": [],
        },
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    table = evaluate_answers(assistant, load_items(path))
    assert set(table) == {"all", "lab", "inspector", "out_of_scope"}
    assert table["inspector"]["explicit_first_hit"] == 1.0
    assert table["lab"]["yes_no_conclusion"] == 1.0
    assert table["out_of_scope"]["out_of_scope_declined"] == 1.0
    assert table["all"]["latency_p95_ms"] > 0
