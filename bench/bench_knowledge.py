"""Knowledge-base benchmark: cold ingest, unchanged re-ingest, search and answer latency, `pufa cite`
as a whole process, peak RSS. Prints figures with the machine's load so noise can be judged.

Run: ``.venv/bin/python bench/bench_knowledge.py`` (``make bench`` runs it with the other benchmarks).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.floors import check_floors  # noqa: E402
from bot.settings import Settings  # noqa: E402
from ingest.pipeline import run_ingest  # noqa: E402
from knowledge.assistant import Assistant  # noqa: E402
from knowledge.index.embedders import make_embedder  # noqa: E402
from knowledge.index.store import ChromaLocation  # noqa: E402

FLOORS = {
    "cold_ingest_s": 60,
    "reingest_s": 3,
    "search_p95_ms": 50,
    "cite_process_s": 1.5,
    "rss_mb": 400,
    "answer_p95_ms": 60,
    "ask_process_s": 1.5,
    "ask_rss_mb": 400,
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _search_latencies(assistant: Assistant, questions: list[str]) -> list[float]:
    latencies = []
    for i in range(200):
        started = time.perf_counter()
        assistant.search(questions[i % len(questions)], 10)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main() -> int:
    settings = Settings.from_env(None)
    corpus = settings.corpus_dir.resolve()
    questions = [
        json.loads(line)["question"] for line in (corpus.parent / "eval" / "dev.jsonl").open(encoding="utf-8")
    ]
    print(f"machine: {os.cpu_count()} cores, load average before: {os.getloadavg()}")
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="pufa-bench-") as tmp:
        data_dir = Path(tmp)
        embedder = make_embedder("e5")
        location = ChromaLocation.from_settings(data_dir)
        started = time.perf_counter()
        summary, _ = run_ingest(corpus, data_dir, embedder, location, show_progress=False)
        results["cold_ingest_s"] = time.perf_counter() - started
        print(f"cold ingest: {results['cold_ingest_s']:.1f} s ({summary.line()})")
        reruns = []
        for _ in range(3):
            started = time.perf_counter()
            run_ingest(corpus, data_dir, embedder, location, show_progress=False)
            reruns.append(time.perf_counter() - started)
        results["reingest_s"] = statistics.median(reruns)
        print(
            f"unchanged re-ingest: median {results['reingest_s']:.2f} s (runs {', '.join(f'{r:.2f}' for r in reruns)})"
        )
        embedder.close()

        bench_settings = Settings(data_dir=data_dir, corpus_dir=corpus)
        assistant = Assistant.open(bench_settings)
        for question in questions[:5]:  # warm-up: tokenizer, caches
            assistant.search(question)
        rounds = [_search_latencies(assistant, questions) for _ in range(2)]  # the first round still
        latencies = rounds[-1]  # overlaps Chroma's background work after a fresh ingest
        results["search_p95_ms"] = percentile(latencies, 0.95)
        for number, values in enumerate(rounds, start=1):
            print(
                f"search round {number} (200 warm queries): p50 {percentile(values, 0.5):.1f} ms, "
                f"p95 {percentile(values, 0.95):.1f} ms, max {max(values):.1f} ms"
            )
        answers = []
        for i in range(200):
            started = time.perf_counter()
            assistant.ask(questions[i % len(questions)])
            answers.append((time.perf_counter() - started) * 1000)
        results["answer_p95_ms"] = percentile(answers, 0.95)
        print(
            f"answer (200 warm questions): p50 {percentile(answers, 0.5):.1f} ms, p95 {results['answer_p95_ms']:.1f} ms"
        )

        env = {**os.environ, "PUFA_DATA_DIR": str(data_dir)}
        for key, argv, runs in (
            ("cite_process_s", ["cite", "人遗条例第22条"], 10),
            # one question from a cold process: models fitted at ingest are loaded, not refitted
            ("ask_process_s", ["ask", "实验动物运输需要检疫吗"], 5),
        ):
            times, peak_mb = _process_times(argv, runs, env), _peak_rss_mb(argv, env)
            results[key] = statistics.median(times)
            print(
                f"pufa {argv[0]} process: median {results[key]:.2f} s (min {min(times):.2f}, max {max(times):.2f}), "
                f"peak RSS {peak_mb:.0f} MB, load average {os.getloadavg()[0]:.2f}"
            )
            if argv[0] == "ask":
                results["ask_rss_mb"] = peak_mb
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    results["rss_mb"] = peak / 1024
    print(
        f"peak RSS (this process or any child): {results['rss_mb']:.0f} MB; "
        f"pufa ask alone: {results['ask_rss_mb']:.0f} MB"
    )
    print(f"load average after: {os.getloadavg()}")
    return check_floors(results, FLOORS)


def _process_times(argv: list[str], runs: int, env: dict[str, str]) -> list[float]:
    """Wall seconds of ``pufa ARGV`` started afresh ``runs`` times."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(REPO / ".venv" / "bin" / "pufa"), *argv], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


# Started from a small process: a child forked from this one (hundreds of MB after ingest) would count this
# process's pages in its peak RSS until it executes pufa.
_PEAK_RSS = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, capture_output=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _peak_rss_mb(argv: list[str], env: dict[str, str]) -> float:
    """Peak RSS (MB) of one run of ``pufa ARGV``."""
    command = [sys.executable, "-c", _PEAK_RSS, str(REPO / ".venv" / "bin" / "pufa"), *argv]
    return int(subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout) / 1024


if __name__ == "__main__":
    sys.exit(main())
