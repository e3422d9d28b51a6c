"""Web benchmark: what one question through the public page costs the server above the answer itself.

Serves the real application (uvicorn on a loopback port) over the index in PUFA_DATA_DIR (run `pufa ingest`
first) and a throw-away SQLite database. Each question comes from a fresh visitor: POST /ask (answer,
record, redirect) then GET / (the page with the answer). The server reports its own time in
``Server-Timing`` (``app`` for the whole request, ``answer`` for the answer function), so the overhead of
a question is ``ask.app - ask.answer + page.app``: parsing, CSRF, limits, recording the turn, quoting the
sources, rendering — network and client excluded. Fails when the p95 overhead is above the ceiling.

    python bench/bench_web.py [--questions 60] [--ceiling-ms 50] [--out bench-results/web.json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.floors import write_result  # noqa: E402
from bot.records.db import make_engine  # noqa: E402
from bot.records.schema import upgrade  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.web.app import create_app  # noqa: E402
from bot.web.services import WebServices  # noqa: E402
from knowledge.assistant import Assistant  # noqa: E402
from tests.support.web import SECRET, csrf_of, serving  # noqa: E402

DEV_SET = REPO.parent / "shared" / "eval" / "dev.jsonl"
FALLBACK = ["实验动物可以混养吗？", "采集人类遗传资源需要审批吗？", "实验动物管理条例第十一条"]
TIMING = re.compile(r"(\w+);dur=([\d.]+)")


def questions(count: int) -> list[str]:
    pool = FALLBACK
    if DEV_SET.is_file():
        pool = [json.loads(line)["question"] for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line]
    return [pool[i % len(pool)] for i in range(count)]


def timings(response: httpx.Response) -> dict[str, float]:
    return {name: float(ms) for name, ms in TIMING.findall(response.headers.get("server-timing", ""))}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def one_question(url: str, question: str) -> dict[str, float]:
    """A fresh visitor asks ``question``; the server's own times of both requests."""
    with httpx.Client(base_url=url, timeout=120) as client:
        token = csrf_of(client.get("/"))
        asked = client.post("/ask", data={"question": question, "csrf_token": token})
        if asked.status_code != 303:
            raise RuntimeError(f"/ask answered {asked.status_code}")
        shown = client.get(asked.headers["location"])
        if shown.status_code != 200 or 'class="turn"' not in shown.text:
            raise RuntimeError("the answer is not on the page")
    ask, page = timings(asked), timings(shown)
    return {"answer_ms": ask["answer"], "ask_ms": ask["app"], "page_ms": page["app"], "overhead_ms": ask["app"] - ask["answer"] + page["app"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--ceiling-ms", type=float, default=50.0, help="highest p95 overhead allowed")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results" / "web.json")
    args = parser.parse_args()
    base = Settings.from_env()
    assistant = Assistant.open(base)
    with tempfile.TemporaryDirectory(prefix="pufa-bench-web-") as tmp:
        settings = base.with_changes(database_url=f"sqlite:///{Path(tmp) / 'web.sqlite3'}", questions_per_minute=1000)
        engine = make_engine(settings.effective_database_url)
        upgrade(engine)
        engine.dispose()
        services = WebServices.open(settings, assistant)
        try:
            with serving(create_app(services, SECRET)) as url:
                one_question(url, FALLBACK[0])  # warm-up: templates compiled, pools started
                samples = [one_question(url, q) for q in questions(args.questions)]
        finally:
            services.close()
    overhead = [s["overhead_ms"] for s in samples]
    result = {
        "questions": len(samples),
        "answer_ms_p50": round(statistics.median(s["answer_ms"] for s in samples), 2),
        "overhead_ms_p50": round(statistics.median(overhead), 2),
        "overhead_ms_p95": round(percentile(overhead, 0.95), 2),
        "overhead_ms_max": round(max(overhead), 2),
        "ask_ms_p95": round(percentile([s["ask_ms"] - s["answer_ms"] for s in samples], 0.95), 2),
        "page_ms_p95": round(percentile([s["page_ms"] for s in samples], 0.95), 2),
        "ceiling_ms": args.ceiling_ms,
    }
    result["ok"] = result["overhead_ms_p95"] <= args.ceiling_ms
    return write_result(result, args.out, result["ok"])


if __name__ == "__main__":
    sys.exit(main())
