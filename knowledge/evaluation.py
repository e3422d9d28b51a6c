"""Quality measures on an evaluation file (``dev.jsonl`` layout): retrieval and answers."""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.assistant import Assistant
from knowledge.errors import CorpusError
from knowledge.models import Answer, ArticleRef
from knowledge.retrieval.retriever import Method

METHODS: tuple[Method, ...] = ("hybrid", "bm25", "dense")
_SAME_PROVISION = {"biosecurity-law-2020": "biosecurity-law", "biosecurity-law-2024": "biosecurity-law"}


@dataclass(frozen=True)
class EvalItem:
    id: str
    kind: str
    question: str
    gold: frozenset[ArticleRef]
    acceptable: frozenset[ArticleRef]
    must_mention: tuple[str, ...]


def load_items(path: Path) -> list[EvalItem]:
    items: list[EvalItem] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: 无法读取评测文件（cannot read eval file）: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            items.append(
                EvalItem(
                    raw["id"],
                    raw["kind"],
                    raw["question"],
                    frozenset(ArticleRef(g["doc"], g["article"]) for g in raw.get("gold", [])),
                    frozenset(ArticleRef(g["doc"], g["article"]) for g in raw.get("acceptable", [])),
                    tuple(raw.get("must_mention", [])),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise CorpusError(f"{path}:{number}: 评测数据格式错误（bad eval line）: {exc}") from exc
    return items


def _normalise(refs: frozenset[ArticleRef] | list[ArticleRef], kind: str) -> list[ArticleRef]:
    """The 2020 and 2024 生物安全法 count as one provision, except on ``version`` items."""
    if kind == "version":
        return list(refs)
    return [ArticleRef(_SAME_PROVISION.get(r.doc_id, r.doc_id), r.article) for r in refs]


@dataclass
class RetrievalScores:
    recall_at_1: list[float] = field(default_factory=list)
    recall_at_5: list[float] = field(default_factory=list)
    mrr_at_10: list[float] = field(default_factory=list)

    def row(self) -> dict[str, float]:
        return {
            "n": len(self.recall_at_1),
            "recall@1": statistics.fmean(self.recall_at_1),
            "recall@5": statistics.fmean(self.recall_at_5),
            "mrr@10": statistics.fmean(self.mrr_at_10),
        }


def evaluate_retrieval(assistant: Assistant, items: list[EvalItem]) -> dict[str, dict[str, dict[str, float]]]:
    """Per method and question kind: Recall@1, Recall@5, MRR@10 (items with gold articles only)."""
    table: dict[str, dict[str, RetrievalScores]] = {m: defaultdict(RetrievalScores) for m in METHODS}
    for item in items:
        if not item.gold:
            continue
        gold = set(_normalise(item.gold, item.kind))
        for method in METHODS:
            hits = assistant.search(item.question, 10, method=method)
            ranked = _normalise([h.ref for h in hits], item.kind)
            scores = table[method][item.kind]
            scores.recall_at_1.append(len(gold & set(ranked[:1])) / len(gold))
            scores.recall_at_5.append(len(gold & set(ranked[:5])) / len(gold))
            scores.mrr_at_10.append(next((1 / (i + 1) for i, r in enumerate(ranked) if r in gold), 0.0))
    return {m: {kind: s.row() for kind, s in sorted(kinds.items())} for m, kinds in table.items()}


def evaluate_answers(assistant: Assistant, items: list[EvalItem]) -> dict[str, float]:
    """Citation recall and precision, must_mention coverage, decline accuracy, latency."""
    recall, precision, mention, declined_ok, false_declines, latencies = [], [], [], [], [], []
    for item in items:
        started = time.perf_counter()
        answer = assistant.ask(item.question)
        latencies.append((time.perf_counter() - started) * 1000)
        text = _answer_text(answer)
        if item.must_mention:
            mention.append(sum(m in text for m in item.must_mention) / len(item.must_mention))
        if item.kind == "out_of_scope":
            declined_ok.append(1.0 if answer.declined else 0.0)
            continue
        false_declines.append(1.0 if answer.declined else 0.0)
        cited = _normalise(answer.citations, item.kind)
        gold = set(_normalise(item.gold, item.kind))
        allowed = gold | set(_normalise(item.acceptable, item.kind))
        if gold:
            recall.append(len(gold & set(cited)) / len(gold))
        if cited:
            precision.append(sum(ref in allowed for ref in cited) / len(cited))
    latencies.sort()
    return {
        "citation_recall": statistics.fmean(recall),
        "citation_precision": statistics.fmean(precision),
        "must_mention": statistics.fmean(mention),
        "out_of_scope_declined": statistics.fmean(declined_ok) if declined_ok else 1.0,
        "false_declines": statistics.fmean(false_declines),
        "latency_p50_ms": latencies[len(latencies) // 2],
        "latency_p95_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
    }


def _answer_text(answer: Answer) -> str:
    """Everything the answer says, as any surface shows it."""
    quoted = [f"{q.citation}\n{q.text}\n{q.notice}" for q in (*answer.basis, *answer.liability)]
    return "\n".join(
        [
            answer.conclusion,
            *quoted,
            *answer.compliance,
            *answer.liability_summary,
            answer.advice,
            *answer.notices,
        ]
    )
