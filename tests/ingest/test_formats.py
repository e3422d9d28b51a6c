"""The bureau's own documents outside the manifest: .txt, .docx and .html, with ``NAME.meta.toml`` sidecars.

Fixture files are written to ``tmp_path`` at test time (.docx with python-docx, legacy encodings with
``str.encode``); one mixed folder is indexed with the real e5 model and searched.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest

from ingest.readers import read_lines
from ingest.sources import SourceDocument, load_corpus, local_id
from knowledge.assistant import Assistant
from knowledge.errors import CorpusError
from knowledge.index.embedders import Embedder
from knowledge.index.snapshot import read_snapshot
from knowledge.models import ArticleRef
from tests.support.corpus import LAB_ID, CachedEmbedder, ingest, settings_for, small_corpus

TXT_NAME = "某市实验动物使用管理办法.txt"
TXT_TEXT = """某市实验动物使用管理办法

（2023年5月1日某市科学技术局发布）

第一章 总则

第一条 为了规范本市实验动物的使用，制定本办法。

第二条 使用实验动物的单位，应当向市科学技术局备案。

备案材料包括：
（一）单位基本情况；
（二）实验动物使用计划。

第二章 附则

第三条 本办法自发布之日起施行。
"""
DOCX_NAME = "某区实验动物伦理审查规定(2023版).docx"
DOCX_PARAGRAPHS = [
    "某区实验动物伦理审查规定",
    "第一章 总则",
    "第一条 开展动物实验的单位应当设立实验动物伦理委员会。",
    "第二条 伦理委员会对动物实验方案进行审查，未经审查通过的，不得开展实验。",
    "第三条 实验中应当采取麻醉等措施，减轻实验动物的痛苦。",
]
HTML_NAME = "某市人类遗传资源备案指引.html"
HTML_BODY = """<html><head><meta charset="gbk"><title>网页标题</title>
<style>p {{ color: red; }}</style></head>
<body><h1>某市人类遗传资源备案指引</h1>
<h2>第一章 一般规定</h2>
<p>第一条 采集我国人类遗传资源的单位，应当在采集前向主管部门备案。</p>
<div><p>第二条 备案信息发生变化的，应当在{days}日内更新。</p><p>逾期未更新的，予以提醒。</p></div>
<script>var x = "第九条 不是条文";</script>
</body></html>
"""


def _write_docx(path: Path, paragraphs: list[str]) -> None:
    document = docx.Document()
    document.add_heading(paragraphs[0], level=0)
    for text in paragraphs[1:]:
        document.add_paragraph(text)
    document.save(str(path))


def _by_id(folder: Path) -> dict[str, SourceDocument]:
    return {source.document.id: source for source in load_corpus(folder).sources}


def test_txt_with_sidecar_metadata(tmp_path: Path) -> None:
    (tmp_path / TXT_NAME).write_text(TXT_TEXT, encoding="utf-8")
    (tmp_path / "某市实验动物使用管理办法.meta.toml").write_text(
        'aliases = ["使用管理办法"]\nlevel = "规范性文件"\nissuer = "某市科学技术局"\n'
        'doc_number = "某科发〔2023〕1号"\neffective = 2023-05-01\ndomains = ["lab_animals"]\n',
        encoding="utf-8",
    )
    source = _by_id(tmp_path)["local-某市实验动物使用管理办法"]
    doc, parsed = source.document, source.parsed
    assert (doc.title, doc.file) == ("某市实验动物使用管理办法", TXT_NAME)
    assert (doc.level, doc.issuer, doc.doc_number) == ("规范性文件", "某市科学技术局", "某科发〔2023〕1号")
    assert (
        doc.effective == date(2023, 5, 1)
        and doc.aliases == ("使用管理办法",)
        and doc.domains == ("lab_animals",)
    )
    assert parsed.preamble == ["（2023年5月1日某市科学技术局发布）"]
    second = parsed.articles[1]
    assert (second.label, second.chapter, second.line) == ("第二条", "第一章 总则", 9)
    assert second.paragraphs[1].items == ("（一）单位基本情况；", "（二）实验动物使用计划。")
    assert parsed.articles[2].chapter == "第二章 附则"


def test_docx_title_and_articles_come_from_the_document(tmp_path: Path) -> None:
    _write_docx(tmp_path / DOCX_NAME, DOCX_PARAGRAPHS)
    (tmp_path / "~$区实验动物伦理审查规定(2023版).docx").write_bytes(b"\x00word lock file")
    sources = _by_id(tmp_path)
    assert list(sources) == ["local-某区实验动物伦理审查规定-2023版"]  # the lock file is ignored
    source = sources["local-某区实验动物伦理审查规定-2023版"]
    assert source.document.title == "某区实验动物伦理审查规定"
    assert [a.number for a in source.parsed.articles] == [1, 2, 3]
    assert source.parsed.articles[2].text == "实验中应当采取麻醉等措施，减轻实验动物的痛苦。"
    assert source.parsed.articles[0].chapter == "第一章 总则"


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_html_declared_or_detected_charset(tmp_path: Path, encoding: str) -> None:
    html = HTML_BODY.format(days="三十")
    if encoding == "utf-8":
        html = html.replace('<meta charset="gbk">', "")
    (tmp_path / HTML_NAME).write_bytes(html.encode(encoding))
    source = _by_id(tmp_path)["local-某市人类遗传资源备案指引"]
    assert source.document.title == "某市人类遗传资源备案指引"
    assert [a.label for a in source.parsed.articles] == ["第一条", "第二条"]  # not the script's text
    second = source.parsed.articles[1]
    assert second.chapter == "第一章 一般规定"
    assert second.text == "备案信息发生变化的，应当在三十日内更新。\n逾期未更新的，予以提醒。"


def test_utf8_bom_and_gb18030_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeff䶮市规定\n第一条 正文。\n".encode())
    assert read_lines(path) == ["䶮市规定", "第一条 正文。"]
    path.write_bytes("䶮市规定\n第一条 正文。\n".encode("gb18030"))
    assert read_lines(path) == ["䶮市规定", "第一条 正文。"]


def test_local_id_is_stable_and_from_the_file_name(tmp_path: Path) -> None:
    assert local_id(Path(DOCX_NAME)) == "local-某区实验动物伦理审查规定-2023版"
    assert local_id(Path("《某市 办法》【修订】.html")) == "local-某市-办法-修订"
    (tmp_path / TXT_NAME).write_text(TXT_TEXT, encoding="utf-8")
    before = list(_by_id(tmp_path))
    (tmp_path / TXT_NAME).write_text(
        TXT_TEXT.replace("某市实验动物使用管理办法", "某市实验动物管理细则"), encoding="utf-8"
    )
    after = _by_id(tmp_path)
    assert list(after) == before  # the id follows the file name, not the (changed) title
    assert after[before[0]].document.title == "某市实验动物管理细则"


@pytest.mark.parametrize(
    ("sidecar", "expected"),
    [
        ('effective = "2023-05-01"\n', ".meta.toml:1: 字段 effective 应为日期"),
        ('level = "规范性文件"\nowner = "张三"\n', ".meta.toml:2: 未知字段 owner"),
        ("level = 规范性文件\n", "元数据文件格式错误"),
    ],
)
def test_bad_sidecar_names_the_file(tmp_path: Path, sidecar: str, expected: str) -> None:
    (tmp_path / TXT_NAME).write_text(TXT_TEXT, encoding="utf-8")
    (tmp_path / "某市实验动物使用管理办法.meta.toml").write_text(sidecar, encoding="utf-8")
    with pytest.raises(CorpusError, match="某市实验动物使用管理办法") as error:
        load_corpus(tmp_path)
    assert expected in str(error.value)


def test_mixed_folder_is_indexed_searched_and_cited(tmp_path: Path, corpus_dir: Path, e5: Embedder) -> None:
    corpus = small_corpus(tmp_path / "corpus", corpus_dir, bureau=None)
    (corpus / TXT_NAME).write_text(TXT_TEXT, encoding="utf-8")
    _write_docx(corpus / DOCX_NAME, DOCX_PARAGRAPHS)
    (corpus / HTML_NAME).write_bytes(HTML_BODY.format(days="三十").encode("gbk"))
    data_dir = tmp_path / "data"
    embedder = CachedEmbedder(e5)
    summary = ingest(corpus, data_dir, embedder)
    assert (summary.documents, summary.articles) == (4, 33 + 3 + 3 + 2)
    ids = {doc.id for doc in read_snapshot(data_dir).catalog.documents}
    assert ids == {
        LAB_ID,
        "local-某市实验动物使用管理办法",
        "local-某区实验动物伦理审查规定-2023版",
        "local-某市人类遗传资源备案指引",
    }

    assistant = Assistant.open(settings_for(data_dir), embedder=embedder)
    top = [h.ref for h in assistant.search("动物实验方案需要经过伦理委员会审查吗", k=3)]
    assert ArticleRef("local-某区实验动物伦理审查规定-2023版", 2) in top
    hits = assistant.search("人类遗传资源备案信息变了多久内要更新", k=3)
    assert hits[0].ref == ArticleRef("local-某市人类遗传资源备案指引", 2)
    assert hits[0].title == "某市人类遗传资源备案指引"
    cited = assistant.cite("《某区实验动物伦理审查规定》第三条")
    assert cited.found and cited.quotes[0].text == "实验中应当采取麻醉等措施，减轻实验动物的痛苦。"
