"""Quiz benchmark: a 50-question paper from the index snapshot — reading the snapshot, building the
question bank and drawing the paper — must take under 2 s (the issue's floor), measured cold and warm.

Run: ``.venv/bin/python bench/bench_quiz.py`` (``make bench`` runs it after ``pufa ingest``).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.floors import check_floors  # noqa: E402
from bot.settings import Settings  # noqa: E402
from knowledge.index.snapshot import read_snapshot  # noqa: E402
from knowledge.law.library import Library  # noqa: E402
from knowledge.quiz import QuizBank  # noqa: E402

FLOORS = {"paper_cold_s": 2.0, "paper_p95_s": 2.0}
ROUNDS = 20


def one_paper(data_dir: Path, seed: int) -> float:
    started = time.perf_counter()
    bank = QuizBank.from_library(Library(read_snapshot(data_dir)))
    paper = bank.paper(50, seed)
    elapsed = time.perf_counter() - started
    assert len(paper) == 50, f"only {len(paper)} questions"
    return elapsed


def main() -> int:
    data_dir = Settings.from_env().data_dir
    print(f"machine: {os.cpu_count()} cores, load average before: {os.getloadavg()}")
    cold = one_paper(data_dir, 0)
    warm = sorted(one_paper(data_dir, seed) for seed in range(1, ROUNDS + 1))
    results = {"paper_cold_s": cold, "paper_p95_s": warm[int(0.95 * (len(warm) - 1))]}
    print(f"50-question paper, cold (snapshot + bank + paper): {cold * 1000:.0f} ms")
    print(
        f"50-question paper, {ROUNDS} seeds: median {statistics.median(warm) * 1000:.0f} ms, "
        f"p95 {results['paper_p95_s'] * 1000:.0f} ms"
    )
    print(f"load average after: {os.getloadavg()}")
    return check_floors(results, FLOORS)


if __name__ == "__main__":
    sys.exit(main())
