"""`make bench`: every benchmark of the project in turn; exits non-zero if any misses its floor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = [
    ["bench_knowledge.py"],
    ["bench_integrity.py"],
    ["bench_bot.py"],
    ["bench_log.py"],
    ["bench_quiz.py"],
    ["bench_flood.py"],
    ["bench_flood.py", "--command", "/start", "--ceiling", "2", "--out", "bench-results/command-flood.json"],
    ["bench_concurrency.py"],
    ["bench_two_processes.py"],
    ["bench_web.py"],
]


def main() -> int:
    status = 0
    for name, *args in SCRIPTS:
        print(f"\n=== {name} {' '.join(args)} ===", flush=True)
        status |= subprocess.run([sys.executable, str(BENCH / name), *args], cwd=BENCH.parent).returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
