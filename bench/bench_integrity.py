"""Index integrity benchmark: what the checks at every opening cost on the installed index (``make index``).

Figures: the snapshot read with its checksum (and the checksum alone), the file checks, the known-answer
self-check (Chroma opened cold in a fresh process, then warm), and ``pufa cite`` / ``pufa ask`` as whole
processes. Prints the machine's load so noise can be judged.

Run: ``.venv/bin/python bench/bench_integrity.py`` (``make bench`` runs it with the other benchmarks).
"""

from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.floors import check_floors  # noqa: E402
from bot.settings import Settings  # noqa: E402
from knowledge.index.integrity import check_files, self_check  # noqa: E402
from knowledge.index.snapshot import SNAPSHOT_NAME, index_dir, read_snapshot  # noqa: E402
from knowledge.index.store import ChromaLocation, VectorStore  # noqa: E402

FLOORS = {"snapshot_read_ms": 1500, "file_checks_ms": 20, "self_check_warm_ms": 100, "cold_open_check_s": 5}
PUFA = str(REPO / ".venv" / "bin" / "pufa")


def _median_ms(work: Callable[[], object], runs: int = 20) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _process_s(args: list[str], env: dict[str, str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([PUFA, *args], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    settings = Settings.from_env(None)
    data_dir = settings.data_dir
    print(f"machine: {os.cpu_count()} cores, load average before: {os.getloadavg()}; index: {data_dir}")
    location = ChromaLocation.from_settings(data_dir, settings.chroma_host, settings.chroma_port)
    snapshot = read_snapshot(data_dir)
    body = (index_dir(data_dir) / SNAPSHOT_NAME).read_bytes()
    results = {
        "snapshot_read_ms": _median_ms(lambda: read_snapshot(data_dir), 5),
        "checksum_ms": _median_ms(lambda: hashlib.sha256(body).hexdigest()),
        "file_checks_ms": _median_ms(
            lambda: check_files(location.path, snapshot.integrity.files) if location.path else None
        ),
    }
    cold = subprocess.run(
        [sys.executable, "-c", _COLD_OPEN, str(data_dir)], check=True, capture_output=True, text=True
    )
    results["cold_open_check_s"] = float(cold.stdout.split()[0])
    results["cold_self_check_s"] = float(cold.stdout.split()[1])
    store = VectorStore(location, snapshot.collection, snapshot.embedder)
    results["self_check_warm_ms"] = _median_ms(
        lambda: self_check(store, snapshot.integrity, snapshot.collection)
    )
    env = {**os.environ, "PUFA_DATA_DIR": str(data_dir)}
    results["cite_process_s"] = _process_s(["cite", "人遗条例第22条"], env)
    results["ask_process_s"] = _process_s(["ask", "人类遗传资源出境需要审批吗"], env, runs=3)
    print(
        f"snapshot read with checksum: median {results['snapshot_read_ms']:.1f} ms "
        f"(checksum alone {results['checksum_ms']:.1f} ms of {len(body) / 1e6:.1f} MB)"
    )
    print(f"file checks ({len(snapshot.integrity.files)} files): median {results['file_checks_ms']:.2f} ms")
    print(
        f"cold process, Chroma opened and self-checked: {results['cold_open_check_s']:.2f} s "
        f"(of which the self-check {results['cold_self_check_s']:.2f} s)"
    )
    print(
        f"self-check warm ({len(snapshot.integrity.probes)} probes × 2 queries): "
        f"median {results['self_check_warm_ms']:.1f} ms"
    )
    print(
        f"pufa cite process: median {results['cite_process_s']:.2f} s; "
        f"pufa ask process: median {results['ask_process_s']:.2f} s"
    )
    print(f"load average after: {os.getloadavg()}")
    return check_floors(results, FLOORS)


_COLD_OPEN = """
import sys, time
from pathlib import Path
started = time.perf_counter()
from knowledge.index.integrity import check_files, self_check
from knowledge.index.snapshot import read_snapshot
from knowledge.index.store import ChromaLocation, VectorStore
data_dir = Path(sys.argv[1])
location = ChromaLocation.from_settings(data_dir)
snapshot = read_snapshot(data_dir)
check_files(location.path, snapshot.integrity.files)
store = VectorStore(location, snapshot.collection, snapshot.embedder)
checking = time.perf_counter()
self_check(store, snapshot.integrity, snapshot.collection)
done = time.perf_counter()
print(done - started, done - checking)
"""


if __name__ == "__main__":
    sys.exit(main())
