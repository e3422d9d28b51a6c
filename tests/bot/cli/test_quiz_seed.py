"""`pufa quiz --json` and `pufa exam` give the same bytes for the same seed in every process, whatever
PYTHONHASHSEED randomises (set and dict order must not leak into the choice)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

PROCESSES = 5


def _run_pufa(args: list[str], data_dir: Path, hash_seed: int) -> bytes:
    env = {**os.environ, "PUFA_DATA_DIR": str(data_dir), "PYTHONHASHSEED": str(hash_seed)}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args], env=env, capture_output=True, check=True, timeout=600
    )
    return done.stdout


def test_quiz_and_exam_are_byte_identical_across_processes(index_dir: Path, tmp_path: Path) -> None:
    quizzes, papers, keys = set(), set(), set()
    for process in range(PROCESSES):
        quizzes.add(_run_pufa(["quiz", "--json", "--n", "40", "--seed", "7"], index_dir, 1000 + process))
        out = tmp_path / f"exam-{process}.docx"
        _run_pufa(["exam", "--questions", "30", "--seed", "7", "--out", str(out)], index_dir, 2000 + process)
        papers.add(hashlib.sha256(out.read_bytes()).hexdigest())
        keys.add(hashlib.sha256(out.with_name(f"{out.stem}-答案.docx").read_bytes()).hexdigest())
    assert len(quizzes) == 1 and len(papers) == 1 and len(keys) == 1
    assert quizzes.pop().count(b'"kind"') == 40
