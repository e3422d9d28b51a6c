"""Concurrent processes: 4 `pufa ask --jsonl` clients at once against 1 alone (same questions each).

Uses the index in PUFA_DATA_DIR. The embedding engine's OpenMP threads spin while they wait; across
processes that spinning burns the CPU the others need (the issue measured 29 s for four clients
against 1.5 s for one). Reports the wall time of one client, of four at once, and their ratio; with
N cores, four clients should take about max(1, 4 / N) times as long as one.

    python bench/bench_concurrency.py [--questions 20] [--clients 4] [--repeat 3] [--ceiling 6]
        [--out bench-results/concurrency.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.floors import write_result  # noqa: E402

DEV_SET = REPO.parent / "shared" / "eval" / "dev.jsonl"
FALLBACK = ["实验动物可以混养吗？", "采集人类遗传资源需要审批吗？", "实验动物管理条例第十一条"]


def batch(count: int) -> bytes:
    pool = FALLBACK
    if DEV_SET.is_file():
        pool = [
            json.loads(line)["question"] for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line
        ]
    lines = [json.dumps({"id": i, "question": pool[i % len(pool)]}, ensure_ascii=False) for i in range(count)]
    return ("\n".join(lines) + "\n").encode()


def run_clients(clients: int, stdin: bytes, env: dict[str, str]) -> float:
    """Wall seconds until ``clients`` concurrent `pufa ask --jsonl` processes have all answered."""
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "ask", "--jsonl"],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(clients)
    ]
    outputs = [p.communicate(stdin, timeout=600)[0] for p in processes]
    elapsed = time.perf_counter() - started
    expected = stdin.count(b"\n")
    for process, output in zip(processes, outputs, strict=True):
        answered = output.count(b"\n")
        if process.returncode != 0 or answered != expected:
            raise SystemExit(f"a client failed (exit {process.returncode}, {answered} answers)")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the median is reported")
    parser.add_argument(
        "--ceiling", type=float, default=8.0, help="largest acceptable ratio (noisy on shared machines)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench-results" / "concurrency.json")
    args = parser.parse_args()
    stdin = batch(args.questions)
    env = dict(os.environ)
    one = [run_clients(1, stdin, env) for _ in range(args.repeat)]
    many = [run_clients(args.clients, stdin, env) for _ in range(args.repeat)]
    ratio = statistics.median(many) / statistics.median(one)
    result = {
        "questions_per_client": args.questions,
        "clients": args.clients,
        "cores": os.cpu_count(),
        "gomp_spincount": os.environ.get("GOMP_SPINCOUNT", "pufa default (0)"),
        "one_client_s": [round(t, 2) for t in one],
        "concurrent_s": [round(t, 2) for t in many],
        "ratio": round(ratio, 2),
        "ceiling": args.ceiling,
        "ok": ratio <= args.ceiling,
    }
    return write_result(result, args.out, result["ok"])


if __name__ == "__main__":
    raise SystemExit(main())
