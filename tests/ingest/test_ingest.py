"""``pufa ingest``: structure, long articles, incremental updates, atomic failure and the summary line.

Every test builds a small corpus in ``tmp_path`` (a copy of 实验动物管理条例 plus a short bureau text)
and indexes it with the real e5 model into a real embedded Chroma. ``CachedEmbedder`` remembers the
model's vectors across these many small ingests, so each text is embedded once per session.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from ingest.pipeline import article_parts
from ingest.sources import load_corpus
from ingest.structure import parse_lines
from knowledge.assistant import Assistant
from knowledge.index.embedders import Embedder
from knowledge.index.snapshot import EXPANSION_PART, SNAPSHOT_NAME, index_dir, read_snapshot
from knowledge.index.store import ChromaLocation
from knowledge.models import Article, ArticleRef, Document, Paragraph
from tests.support.corpus import (
    BUREAU_FILE,
    BUREAU_ID,
    BUREAU_TEXT,
    LAB_FILE,
    LAB_ID,
    SUMMARY_RE,
    CachedEmbedder,
    FailingEmbedder,
    answers,
    collection_ids,
    ingest,
    run_cli,
    settings_for,
    small_corpus,
    snapshot_bytes,
)


def test_markdown_structure_of_a_real_law(tmp_path: Path, corpus_dir: Path) -> None:
    corpus = load_corpus(small_corpus(tmp_path, corpus_dir, bureau=None))
    [source] = corpus.sources
    articles = {a.number: a for a in source.parsed.articles}
    assert source.parsed.title == "实验动物管理条例"
    assert sorted(articles) == list(range(1, 34)) and source.parsed.skipped == []
    assert articles[1].chapter == "第一章 总则" and articles[9].chapter == "第二章 实验动物的饲育管理"
    assert articles[5].label == "第五条" and len(articles[5].paragraphs) == 3
    assert articles[5].paragraphs[2].text == "国务院各有关部门负责管理本部门的实验动物工作。"
    lines = (corpus_dir / LAB_FILE).read_text(encoding="utf-8").splitlines()
    assert all(lines[a.line - 1].startswith(a.label) for a in articles.values())
    assert any("国务院批准" in line for line in source.parsed.preamble)


def test_chapters_sections_paragraphs_items_and_numerals_up_to_thousands() -> None:
    lines = [
        "某市测试规定",
        "第一章 总则",
        "第一节 一般规定",
        "第一条 第一款。",
        "第二款，包括：",
        "（一）第一项；",
        "(二)第二项。",
        "第二节 特别规定",
        "第十条　全角空格后的正文。",
        "第二章 附则",
        "第一百零五条 第一百零五条正文。",
        "第一千零一条 第一千零一条正文。",
        "第二千三百四十五条 最后一条。",
    ]
    parsed = parse_lines(lines, "t", Path("t.txt"))
    by_number = {a.number: a for a in parsed.articles}
    assert parsed.title == "某市测试规定"
    assert sorted(by_number) == [1, 10, 105, 1001, 2345]
    first = by_number[1]
    assert (first.chapter, first.section, first.line) == ("第一章 总则", "第一节 一般规定", 4)
    assert first.paragraphs == (
        Paragraph("第一款。"),
        Paragraph("第二款，包括：", ("（一）第一项；", "(二)第二项。")),
    )
    assert by_number[10].section == "第二节 特别规定" and by_number[10].text == "全角空格后的正文。"
    assert (by_number[105].chapter, by_number[105].section) == ("第二章 附则", "")
    assert by_number[1001].label == "第一千零一条"
    assert parsed.skipped[:3] == [2, 3, 4] and 1001 not in parsed.skipped


def test_title_is_never_a_later_paragraph() -> None:
    """A text without a title line: the file name is the title, the second 款 stays in its article."""
    parsed = parse_lines(["第一条 第一款。", "第二款。", "第二条 正文。"], "t", Path("无标题规定.txt"))
    assert parsed.title == "无标题规定"
    assert parsed.articles[0].text == "第一款。\n第二款。"


def _long_article(paragraphs: list[Paragraph]) -> tuple[Document, Article]:
    doc = Document("long", "某市超长条文测试规定", "long.txt")
    return doc, Article("long", 1, "第一条", tuple(paragraphs), "第一章 总则")


def test_long_article_is_embedded_in_parts_by_paragraph(embedder: CachedEmbedder) -> None:
    sentence = "实验动物使用单位应当建立健全管理制度，配备专职人员，定期开展培训和检查，并如实记录饲育、使用和处置情况。"
    paragraphs = [Paragraph(f"第{n}款：" + sentence * 4) for n in range(1, 7)]
    doc, article = _long_article(paragraphs)
    parts = article_parts(doc, article, embedder)
    assert 2 <= len(parts) <= len(paragraphs)
    assert all(embedder.token_count(p) <= embedder.max_tokens - 16 for p in parts)
    assert all(p.startswith("某市超长条文测试规定 第一章 总则\n第一条 ") for p in parts)
    joined = "\n".join(p.split("\n", 1)[1].removeprefix("第一条 ") for p in parts)
    assert joined == article.text  # every 款 once, in order, none cut


def test_one_long_paragraph_is_cut_between_its_items(embedder: CachedEmbedder) -> None:
    items = tuple(
        f"（{n}）" + "实验动物是指经人工饲育，对其携带的微生物实行控制，遗传背景明确或者来源清楚的动物。" * 2
        for n in "一二三四五六七八九十"
    )
    doc, article = _long_article([Paragraph("本规定下列用语的含义：", items)])
    parts = article_parts(doc, article, embedder)
    assert len(parts) >= 2
    assert all(embedder.token_count(p) <= embedder.max_tokens - 16 for p in parts)
    assert "\n".join(p.split("\n", 1)[1].removeprefix("第一条 ") for p in parts) == article.text


def test_long_article_resolves_to_one_article_in_the_index(
    tmp_path: Path, corpus_dir: Path, embedder: CachedEmbedder
) -> None:
    filler = "使用单位应当建立管理制度，配备专职人员，定期开展培训，并如实记录饲育和使用情况。" * 5
    long_text = "\n\n".join(
        [
            "某市超长条文测试规定",
            "第一条 本规定适用于本市。",
            "第二条 " + filler,
            *(filler for _ in range(4)),
            "违反本条规定饲养猕猴的，由市科学技术局责令改正。",
        ]
    )
    corpus = small_corpus(tmp_path / "corpus", corpus_dir, bureau=None)
    (corpus / "某市超长条文测试规定.txt").write_text(long_text, encoding="utf-8")
    data_dir = tmp_path / "data"
    ingest(corpus, data_dir, embedder)
    snapshot = read_snapshot(data_dir)
    parts = sorted(
        r.part for r in snapshot.records if (r.doc_id, r.article) == ("local-某市超长条文测试规定", 2)
    )
    assert len(parts) >= 2 and parts == list(range(len(parts)))
    assistant = Assistant.open(settings_for(data_dir), embedder=embedder)
    hits = assistant.search("违反规定饲养猕猴由市科学技术局责令改正", method="dense")
    assert hits[0].ref == ArticleRef("local-某市超长条文测试规定", 2)
    assert len({h.ref for h in hits}) == len(hits)  # the parts never show up as separate results


def test_every_record_carries_its_metadata(
    tmp_path: Path, corpus_dir: Path, embedder: CachedEmbedder
) -> None:
    corpus = small_corpus(tmp_path / "corpus", corpus_dir)
    (corpus / "某市实验动物使用管理办法.meta.toml").write_text(
        'issuer = "某市科学技术局"\nlevel = "规范性文件"\neffective = 2024-01-01\ndomains = ["lab_animals"]\n',
        encoding="utf-8",
    )
    data_dir = tmp_path / "data"
    ingest(corpus, data_dir, embedder)
    snapshot = read_snapshot(data_dir)
    lab, bureau = snapshot.catalog.get(LAB_ID), snapshot.catalog.get(BUREAU_ID)
    assert lab is not None and (lab.level, lab.version_date.isoformat()) == ("行政法规", "2017-03-01")
    assert bureau is not None and (bureau.title, bureau.issuer) == (
        "某市实验动物使用管理办法",
        "某市科学技术局",
    )
    assert bureau.effective is not None and bureau.domains == ("lab_animals",)
    refs = snapshot.by_ref()
    for record in snapshot.records:
        if record.doc_id in (LAB_ID, BUREAU_ID):
            article = refs[ArticleRef(record.doc_id, record.article)]
            assert article.label and article.chapter and article.line > 0
    assert refs[ArticleRef(BUREAU_ID, 3)].chapter == "第二章 监督检查"
    parts = {}
    for record in snapshot.records:
        if record.doc_id in (LAB_ID, BUREAU_ID) and record.part < EXPANSION_PART:
            parts.setdefault((record.doc_id, record.article), []).append(record.part)
    assert parts == {(a.doc_id, a.number): [0] for a in snapshot.articles}  # one record per short article
    client = chromadb.PersistentClient(
        str(ChromaLocation.from_settings(data_dir).path), ChromaSettings(anonymized_telemetry=False)
    )
    stored = client.get_collection(snapshot.collection).get(include=["metadatas"])  # what Chroma holds
    by_id = {r.id: r for r in snapshot.records}
    assert set(stored["ids"]) == set(by_id)
    for record_id, meta in zip(stored["ids"], stored["metadatas"], strict=True):
        record = by_id[record_id]
        assert (meta["doc_id"], meta["article"], meta["part"]) == (record.doc_id, record.article, record.part)
        if record.doc_id == LAB_ID:
            assert (meta["title"], meta["level"], meta["status"]) == (
                "实验动物管理条例",
                "行政法规",
                "current",
            )
            assert (meta["version_date"], meta["effective"], meta["domains"]) == (
                "2017-03-01",
                "1988-11-14",
                "lab_animals",
            )
            assert meta["chapter"] == refs[ArticleRef(record.doc_id, record.article)].chapter


def test_incremental_updates(tmp_path: Path, corpus_dir: Path, embedder: CachedEmbedder) -> None:
    corpus, data_dir = small_corpus(tmp_path / "corpus", corpus_dir), tmp_path / "data"
    first = ingest(corpus, data_dir, embedder)
    records = read_snapshot(data_dir).records
    assert (first.documents, first.articles, first.skipped, first.removed) == (2, 37, 0, 0)
    assert 0 < first.embedded <= len(records)
    assert collection_ids(data_dir, embedder) == {r.id for r in records}

    again = ingest(corpus, data_dir, embedder)
    assert (again.embedded, again.skipped, again.removed) == (0, len(records), 0)
    assert read_snapshot(data_dir).records == records

    changed = BUREAU_TEXT.replace("每年对实验动物使用单位开展一次", "每半年对实验动物使用单位开展一次")
    (corpus / BUREAU_FILE).write_text(changed, encoding="utf-8")
    update = ingest(corpus, data_dir, embedder)
    after = read_snapshot(data_dir)
    assert (update.embedded, update.skipped, update.removed) == (1, len(records) - 1, 1)
    new_ids = {r.id for r in after.records} - {r.id for r in records}
    assert [r.doc_id for r in after.records if r.id in new_ids] == [BUREAU_ID]
    assert [r for r in after.records if r.doc_id == LAB_ID] == [r for r in records if r.doc_id == LAB_ID]
    assert "每半年" in after.by_ref()[ArticleRef(BUREAU_ID, 3)].text
    assert collection_ids(data_dir, embedder) == {r.id for r in after.records}

    (corpus / BUREAU_FILE).unlink()
    removal = ingest(corpus, data_dir, embedder)
    final = read_snapshot(data_dir)
    assert (removal.documents, removal.articles, removal.embedded, removal.removed) == (1, 33, 0, 4)
    assert final.catalog.get(BUREAU_ID) is None
    assert all(r.doc_id != BUREAU_ID for r in final.records)
    ids = collection_ids(data_dir, embedder)
    assert ids == {r.id for r in final.records} and not any(i.startswith(BUREAU_ID) for i in ids)


def test_failed_ingest_leaves_previous_index_answering(
    tmp_path: Path, corpus_dir: Path, e5: Embedder, embedder: CachedEmbedder
) -> None:
    corpus, data_dir = small_corpus(tmp_path / "corpus", corpus_dir), tmp_path / "data"
    ingest(corpus, data_dir, embedder)
    before, snapshot_before = (
        answers(Assistant.open(settings_for(data_dir), embedder=embedder)),
        snapshot_bytes(data_dir),
    )
    ids_before = collection_ids(data_dir, embedder)

    changed = BUREAU_TEXT.replace("第四条", "第四条 违反本办法的，由市科学技术局责令改正。\n\n第五条")
    (corpus / BUREAU_FILE).write_text(changed.replace("每年", "每季度"), encoding="utf-8")
    with pytest.raises(ConnectionError):
        ingest(corpus, data_dir, FailingEmbedder(e5, fail_after=2))  # 3 changed articles to embed
    assert snapshot_bytes(data_dir) == snapshot_before
    assert answers(Assistant.open(settings_for(data_dir), embedder=embedder)) == before
    assert collection_ids(data_dir, embedder) == ids_before

    # Now fail after the new vectors are stored: the snapshot's temporary file cannot be created.
    blocker = index_dir(data_dir) / f".{SNAPSHOT_NAME}.{os.getpid()}.tmp"
    blocker.mkdir()
    with pytest.raises(IsADirectoryError):
        ingest(corpus, data_dir, embedder)
    assert snapshot_bytes(data_dir) == snapshot_before
    assert answers(Assistant.open(settings_for(data_dir), embedder=embedder)) == before
    assert collection_ids(data_dir, embedder) > ids_before  # unlisted vectors, ignored by readers

    blocker.rmdir()
    summary = ingest(corpus, data_dir, embedder)
    snapshot = read_snapshot(data_dir)
    assert summary.embedded == 0 and summary.removed == 2  # reused the stored vectors, dropped the old ones
    assert collection_ids(data_dir, embedder) == {r.id for r in snapshot.records}
    assistant = Assistant.open(settings_for(data_dir), embedder=embedder)
    assert "每季度" in assistant.cite("某市实验动物使用管理办法第三条").quotes[0].text
    assert assistant.cite("某市实验动物使用管理办法第五条").found


def test_cli_prints_the_summary_line(tmp_path: Path, corpus_dir: Path, embedder: CachedEmbedder) -> None:
    corpus, seed = small_corpus(tmp_path / "corpus", corpus_dir), tmp_path / "seed"
    ingest(corpus, seed, embedder)
    records = len(read_snapshot(seed).records)
    data_dir = tmp_path / "data"
    shutil.copytree(seed, data_dir)  # a copy this process never opened: the CLI owns it alone
    (corpus / BUREAU_FILE).write_text(BUREAU_TEXT.replace("备案", "书面备案"), encoding="utf-8")

    done = run_cli(["ingest", str(corpus)], data_dir, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "嵌入条文" in done.stderr  # the progress bar goes to stderr, the summary to stdout
    match = SUMMARY_RE.fullmatch(done.stdout.strip().splitlines()[-1])
    assert match, done.stdout
    assert [int(n) for n in match.groups()[:5]] == [2, 37, 1, records - 1, 1]
    assert float(match.group(6)) >= 0
    cited = Assistant.open_library(data_dir).cite("某市实验动物使用管理办法第二条")
    assert "书面备案" in cited.quotes[0].text
