"""Per-file budgets of ingest against generated bombs under the size limit: a 19 MB single line, a 7 MB
HTML nest, a .docx whose zip headers understate its size. Each is refused by name within seconds, the
whole ``pufa ingest`` process staying under 500 MB."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from ingest.limits import MAX_FILE_BYTES, MAX_HTML_DEPTH, MAX_LINE_CHARS, MAX_UNCOMPRESSED_BYTES
from tests.support.corpus import small_corpus

REPO = Path(__file__).resolve().parents[2]
MAX_SECONDS = 30
MAX_RSS_MB = 500


@dataclass(frozen=True)
class Run:
    code: int
    err: str
    seconds: float
    peak_mb: float


# Runs the command and prints its peak RSS in kB. A child forked from the test process would count the test
# process's own memory (fork copies it); forked from this small interpreter, it counts only its own.
_MEASURED = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
"""


def _ingest(corpus: Path, data_dir: Path) -> Run:
    """``pufa ingest`` in a fresh process, with its own peak memory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PUFA_", "CHROMA_", "EMBEDDING_"))}
    env |= {"PUFA_DATA_DIR": str(data_dir), "PUFA_CASES_DIR": str(data_dir / "no-cases")}
    command = [sys.executable, "-m", "bot.cli.main", "ingest", "--quiet", str(corpus)]
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *command],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seconds = time.monotonic() - started
    return Run(done.returncode, done.stderr, seconds, int(done.stdout.split()[-1]) / 1024)


def _single_line_txt(path: Path) -> None:
    line = "第一条 " + "饲养单位应当善待实验动物" * ((MAX_FILE_BYTES - 2 * 1024 * 1024) // 36)
    path.write_text(line, encoding="utf-8")
    assert 18 * 1024 * 1024 < path.stat().st_size < MAX_FILE_BYTES


def _nested_html(path: Path) -> None:
    depth = 7 * 1024 * 1024 // 5
    path.write_text(
        "<html><body><h1>某市规定</h1>"
        + "<div>" * depth
        + "第一条 正文。"
        + "</div>" * 10
        + "</body></html>",
        encoding="utf-8",
    )


def _lying_docx(path: Path) -> None:
    """A real .docx whose document.xml inflates to 4 × the limit while its headers claim the original size."""
    document = docx.Document()
    document.add_paragraph("某市实验动物规定")
    document.add_paragraph("第一条 饲养单位应当善待实验动物。")
    honest = path.with_suffix(".honest")
    document.save(str(honest))
    with zipfile.ZipFile(honest) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in source.infolist():
            data = source.read(member)
            if member.filename != "word/document.xml":
                bomb.writestr(member, data)
                continue
            declared = len(data)
            head, tail = data.split(b"</w:body>")
            inflating = zipfile.ZipInfo(member.filename)
            inflating.compress_type = zipfile.ZIP_DEFLATED
            with bomb.open(inflating, "w") as stream:
                stream.write(head)
                for _ in range(4 * MAX_UNCOMPRESSED_BYTES // (1024 * 1024)):
                    stream.write(b"<w:p/>" * (1024 * 1024 // 6))
                stream.write(b"</w:body>" + tail)
    honest.unlink()
    raw = bytearray(path.read_bytes())
    name = b"word/document.xml"
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = raw.find(signature)
        while start >= 0:
            if raw[start + name_at : start + name_at + len(name)] == name:
                raw[start + size_at : start + size_at + 4] = declared.to_bytes(4, "little")
            start = raw.find(signature, start + 4)
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as check:
        assert check.getinfo("word/document.xml").file_size == declared  # the lie is in place
    assert path.stat().st_size < 2 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("某市单行规定.txt", _single_line_txt, f"超过上限 {MAX_LINE_CHARS} 字"),
        ("某市嵌套规定.html", _nested_html, f"嵌套超过 {MAX_HTML_DEPTH} 层"),
        ("某市膨胀规定.docx", _lying_docx, "解压后大小"),
    ],
)
def test_a_bomb_is_refused_by_name_within_seconds_and_bounded_memory(
    tmp_path: Path,
    corpus_dir: Path,
    name: str,
    make,
    reason: str,  # type: ignore[no-untyped-def]
) -> None:
    corpus = small_corpus(tmp_path / "corpus", corpus_dir, bureau=None)
    make(corpus / name)
    run = _ingest(corpus, tmp_path / "data")
    assert run.code == 2, run.err
    assert str(corpus / name) in run.err and reason in run.err and "Traceback" not in run.err
    assert run.seconds <= MAX_SECONDS, run.seconds
    assert run.peak_mb <= MAX_RSS_MB, run.peak_mb
