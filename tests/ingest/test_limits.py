"""Hostile files and a killed ``pufa ingest``: limits checked within seconds, no worker left behind."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx

from ingest.limits import MAX_ARTICLES, MAX_FILE_BYTES, MAX_LINES, MAX_UNCOMPRESSED_BYTES
from knowledge.law.numerals import to_chinese
from tests.support.corpus import run_cli, small_corpus

REPO = Path(__file__).resolve().parents[2]
PARAGRAPH = "第一条 饲养单位应当善待实验动物。\n".encode()


def _child_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def test_huge_text_file_is_refused_within_seconds(tmp_path: Path, corpus_dir: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", corpus_dir, bureau=None)
    huge = corpus / "某市超大规定.txt"
    with huge.open("wb") as handle:
        for _ in range(MAX_FILE_BYTES // (1024 * 1024) * 2 + 10):
            handle.write(PARAGRAPH * (1024 * 1024 // len(PARAGRAPH)))
    started = time.monotonic()
    result = run_cli(["ingest", "--quiet", str(corpus)], tmp_path / "data", REPO)
    assert time.monotonic() - started < 30
    assert result.returncode == 2
    assert str(huge) in result.stderr and "上限 20.0 MB" in result.stderr
    assert "Traceback" not in result.stderr


def test_inflating_docx_is_refused_before_decompressing(tmp_path: Path, corpus_dir: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", corpus_dir, bureau=None)
    bomb = corpus / "某市膨胀文档.docx"
    document = docx.Document()
    document.add_paragraph("某市实验动物规定")
    document.add_paragraph("第一条 饲养单位应当善待实验动物。")
    document.save(str(bomb))
    padding = b"<w:p/>" * ((MAX_UNCOMPRESSED_BYTES * 4) // 6)  # 200 MB of XML, a few hundred KB zipped
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("word/padding.xml", padding)
    del padding
    assert bomb.stat().st_size < 1024 * 1024
    started = time.monotonic()
    result = run_cli(["ingest", "--quiet", str(corpus)], tmp_path / "data", REPO)
    assert time.monotonic() - started < 30
    assert result.returncode == 2
    assert str(bomb) in result.stderr and "解压后大小" in result.stderr and "上限 50.0 MB" in result.stderr
    assert _child_peak_rss_mb() < 1500, "nothing was inflated"


def test_symlink_loop_and_folder_are_reported(tmp_path: Path, corpus_dir: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", corpus_dir, bureau=None)
    os.symlink("某市循环.md", corpus / "某市循环.md")
    (corpus / "某市文件夹.txt").mkdir()
    result = run_cli(["ingest", "--quiet", str(corpus)], tmp_path / "data", REPO)
    assert result.returncode == 0, result.stderr
    assert f"{corpus / '某市循环.md'}: 符号链接无法解析" in result.stderr
    assert f"{corpus / '某市文件夹.txt'}: 不是普通文件" in result.stderr


def _group(pgid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def test_killed_ingest_leaves_no_worker_and_closes_its_output(tmp_path: Path, corpus_dir: Path) -> None:
    """SIGKILL of `pufa ingest` while its embedding workers run: they die too, and its pipe ends."""
    corpus = small_corpus(tmp_path / "corpus", corpus_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PUFA_", "CHROMA_", "EMBEDDING_"))}
    env["PUFA_DATA_DIR"] = str(tmp_path / "data")
    env["PUFA_CASES_DIR"] = str(tmp_path)  # no published cases: they cite laws this small corpus lacks
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "ingest", str(corpus)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while len(_group(process.pid)) < 3 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_group(process.pid)) >= 3, "the worker processes started"
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 30
        while _group(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _group(process.pid) == [], "every worker died with its parent"
        assert process.stdout is not None
        process.stdout.read()  # returns: no process holds the pipe any more
    finally:
        for pid in _group(process.pid):
            os.kill(pid, signal.SIGKILL)


def test_too_many_paragraphs_or_articles_are_refused(tmp_path: Path, corpus_dir: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", corpus_dir, bureau=None)
    articles = "某市条文过多规定\n" + "".join(
        f"第{to_chinese(n)}条 本条正文。\n" for n in range(1, MAX_ARTICLES + 2)
    )
    (corpus / "某市条文过多规定.txt").write_text(articles, encoding="utf-8")
    result = run_cli(["ingest", "--quiet", str(corpus)], tmp_path / "data", REPO)
    assert result.returncode == 2
    assert (
        f"条文数 {MAX_ARTICLES + 1} 超过上限 {MAX_ARTICLES}" in result.stderr
        and "某市条文过多规定.txt" in result.stderr
    )

    (corpus / "某市条文过多规定.txt").unlink()
    (corpus / "某市段落过多通知.txt").write_text("某市通知\n" + "一\n" * MAX_LINES, encoding="utf-8")
    result = run_cli(["ingest", "--quiet", str(corpus)], tmp_path / "data", REPO)
    assert result.returncode == 2
    assert (
        f"段落数 {MAX_LINES + 1} 超过上限 {MAX_LINES}" in result.stderr
        and "某市段落过多通知.txt" in result.stderr
    )
