"""Bad input to ``pufa ingest``: a clear error naming the file (and line), exit code != 0, index untouched.

One small index is built in-process; every bad corpus is then handed to the real CLI in its own process
(all at once — they fail before touching the index), and the index must answer exactly as before.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from knowledge.assistant import Assistant
from knowledge.index.embedders import Embedder
from knowledge.index.snapshot import read_snapshot
from knowledge.models import ArticleRef
from tests.support.corpus import (
    BUREAU_FILE,
    CachedEmbedder,
    answers,
    ingest,
    run_cli,
    settings_for,
    small_corpus,
    snapshot_bytes,
)

NO_ARTICLES = "关于开展实验动物年度检查的通知\n\n各有关单位：\n请于十月底前完成自查并报送结果。\n"
DUPLICATES = "某市重复编号规定\n\n第一条 第一条正文。\n\n第二条 第二条正文。\n\n第二条 又一个第二条。\n"
SKIPPED = "某市缺号规定\n\n第一条 第一条正文。\n\n第二条 第二条正文。\n\n第五条 第五条正文。\n"
GBK_TEXT = "某市实验动物福利规定\n\n第一条 饲养单位应当善待实验动物，减少动物的痛苦。\n\n第二条 本规定由某市科学技术局负责解释。\n"


@dataclass(frozen=True)
class Case:
    """A bad corpus: how to make it and what the error must name."""

    make: Callable[[Path, Path], Path]  # (folder, real corpus dir) -> the directory to ingest
    names: tuple[str, ...]  # substrings the error must contain (file, line)


def _with_file(name: str, data: bytes) -> Callable[[Path, Path], Path]:
    def make(folder: Path, corpus_dir: Path) -> Path:
        small_corpus(folder, corpus_dir, bureau=None)
        (folder / name).write_bytes(data)
        return folder

    return make


def _missing_file(folder: Path, corpus_dir: Path) -> Path:
    small_corpus(folder, corpus_dir, bureau=None)
    with (folder / "manifest.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[[document]]\nid = "gone"\nfile = "已删除的规定.md"\ntitle = "已删除的规定"\n')
    return folder


def _bad_manifest(folder: Path, corpus_dir: Path) -> Path:
    small_corpus(folder, corpus_dir, bureau=None)
    (folder / "manifest.toml").write_text(
        '[[document]]\nid = "lab-animals"\nfile = "实验动物管理条例(2017-03-01).md"\ntitle = 实验动物管理条例\n',
        encoding="utf-8",
    )
    return folder


def _empty(folder: Path, corpus_dir: Path) -> Path:
    folder.mkdir()
    return folder


def _nonexistent(folder: Path, corpus_dir: Path) -> Path:
    return folder / "不存在的目录"


def _bad_sidecar(folder: Path, corpus_dir: Path) -> Path:
    small_corpus(folder, corpus_dir)
    (folder / BUREAU_FILE.replace(".txt", ".meta.toml")).write_text(
        'issuer = "某市科学技术局"\naliases = "使用管理办法"\n', encoding="utf-8"
    )
    return folder


CASES = {
    "no_articles": Case(
        _with_file("年度检查通知.txt", NO_ARTICLES.encode()), ("年度检查通知.txt", "未识别到任何条文")
    ),
    "undecodable": Case(
        _with_file("乱码规定.txt", "乱码规定\n第一条 正文。\n".encode() + b"\xff\xfe\xff\n"),
        ("乱码规定.txt:3:",),
    ),
    "duplicates": Case(
        _with_file("重复编号规定.txt", DUPLICATES.encode()), ("重复编号规定.txt:7:", "第二条（第5行与第7行）")
    ),
    "missing_file": Case(_missing_file, ("manifest.toml:16:", "已删除的规定.md")),
    "bad_manifest": Case(_bad_manifest, ("manifest.toml", "line 4")),
    "empty_dir": Case(_empty, ("empty_dir", "没有可导入的文档")),
    "nonexistent": Case(_nonexistent, ("不存在的目录", "目录不存在")),
    "damaged_docx": Case(_with_file("损坏的规定.docx", b"this is not a zip file"), ("损坏的规定.docx",)),
    "bad_sidecar": Case(_bad_sidecar, ("某市实验动物使用管理办法.meta.toml:2:", "aliases")),
}


@dataclass(frozen=True)
class Built:
    data_dir: Path
    snapshot: bytes
    answers: list[object]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, e5: Embedder) -> Built:
    root = tmp_path_factory.mktemp("bad-input")
    data_dir = root / "data"
    embedder = CachedEmbedder(e5)
    ingest(small_corpus(root / "corpus", corpus_dir), data_dir, embedder)
    assistant = Assistant.open(settings_for(data_dir), embedder=embedder)
    return Built(data_dir, snapshot_bytes(data_dir), answers(assistant))


@pytest.fixture(scope="module")
def outcomes(
    built: Built, tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every bad corpus through ``pufa ingest DIR`` against the built index, run side by side."""
    root = tmp_path_factory.mktemp("cases")
    folders = {name: case.make(root / name, corpus_dir) for name, case in CASES.items()}
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {
            name: pool.submit(run_cli, ["ingest", str(folder), "--quiet"], built.data_dir, root)
            for name, folder in folders.items()
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused_naming_the_file(
    name: str, outcomes: dict[str, subprocess.CompletedProcess[str]], built: Built
) -> None:
    done = outcomes[name]
    assert done.returncode != 0
    assert done.stderr.startswith("错误："), done.stderr
    assert "Traceback" not in done.stderr
    for part in CASES[name].names:
        assert part in done.stderr, done.stderr
    assert done.stdout == ""
    assert snapshot_bytes(built.data_dir) == built.snapshot


def test_index_still_answers_as_before(
    outcomes: dict[str, subprocess.CompletedProcess[str]], built: Built, e5: Embedder
) -> None:
    assert len(outcomes) == len(CASES)
    assistant = Assistant.open(settings_for(built.data_dir), embedder=CachedEmbedder(e5))
    assert answers(assistant) == built.answers


def test_skipped_numbers_warn_and_ingest_proceeds(built: Built, tmp_path: Path, corpus_dir: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", corpus_dir)
    (corpus / "某市缺号规定.txt").write_text(SKIPPED, encoding="utf-8")
    data_dir = tmp_path / "data"
    shutil.copytree(built.data_dir, data_dir)
    done = run_cli(["ingest", str(corpus), "--quiet"], data_dir, tmp_path)
    assert done.returncode == 0, done.stderr
    warning = next(line for line in done.stderr.splitlines() if line.startswith("警告："))
    assert "某市缺号规定.txt" in warning and "第3条、第4条" in warning
    assert done.stdout.startswith("完成：文档 3 部，条文 40 条，新嵌入 3，")
    numbers = sorted(a.number for a in read_snapshot(data_dir).articles if a.doc_id == "local-某市缺号规定")
    assert numbers == [1, 2, 5]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_chinese_legacy_encodings_are_decoded(
    encoding: str, tmp_path: Path, corpus_dir: Path, e5: Embedder
) -> None:
    text = GBK_TEXT if encoding == "gbk" else GBK_TEXT.replace("某市", "䶮市")  # 䶮 is outside GBK
    corpus = small_corpus(tmp_path / "corpus", corpus_dir, bureau=None)
    (corpus / "某市实验动物福利规定.txt").write_bytes(text.encode(encoding))
    data_dir = tmp_path / "data"
    ingest(corpus, data_dir, CachedEmbedder(e5))
    snapshot = read_snapshot(data_dir)
    doc = snapshot.catalog.get("local-某市实验动物福利规定")
    assert doc is not None and doc.title == text.splitlines()[0]
    first = snapshot.by_ref()[ArticleRef(doc.id, 1)]
    assert first.text == "饲养单位应当善待实验动物，减少动物的痛苦。"
    assert snapshot.by_ref()[ArticleRef(doc.id, 2)].text == text.splitlines()[-1].removeprefix("第二条 ")
