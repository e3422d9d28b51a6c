"""Quality measures on an evaluation file (``dev.jsonl`` layout): retrieval and answers."""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.answers.stance import opening_stance
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
    category: str = ""
    expect: str = ""  # yes/no questions: yes, no, conditional, not_regulated


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
                    raw.get("category", ""),
                    raw.get("expect", ""),
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


@dataclass
class AnswerScores:
    """Per-question outcomes of one group of questions (a kind, or all)."""

    recall: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    mention: list[float] = field(default_factory=list)
    declined_ok: list[float] = field(default_factory=list)
    false_declines: list[float] = field(default_factory=list)
    conclusion_ok: list[float] = field(default_factory=list)
    explicit_first: list[float] = field(default_factory=list)
    confident_first: list[float] = field(default_factory=list)
    no_relevant: list[float] = field(default_factory=list)
    unsure: list[float] = field(default_factory=list)

    def row(self) -> dict[str, float]:
        def mean(values: list[float]) -> float:
            return statistics.fmean(values) if values else float("nan")

        return {
            "n": len(self.declined_ok) + len(self.false_declines),
            "citation_recall": mean(self.recall),
            "citation_precision": mean(self.precision),
            "must_mention": mean(self.mention),
            "out_of_scope_declined": mean(self.declined_ok),
            "false_declines": mean(self.false_declines),
            "yes_no_conclusion": mean(self.conclusion_ok),
            "explicit_first_hit": mean(self.explicit_first),
            "confident_first_right": mean(self.confident_first),
            "no_relevant_article": mean(self.no_relevant),
            "unsure_form": mean(self.unsure),
        }


EXPLICIT_CATEGORIES = frozenset({"explicit", "explicit_typo"})


def evaluate_answers(assistant: Assistant, items: list[EvalItem]) -> dict[str, dict[str, float]]:
    """Per question kind and for ``all``: citation recall and precision, must_mention coverage, decline
    accuracy, the yes/no check of the conclusion (items with ``expect``), explicit references right first,
    first cited article right among confident answers, answers citing no relevant article, answers in the
    unsure form; ``all`` also has the answer latency."""
    groups: dict[str, AnswerScores] = defaultdict(AnswerScores)
    latencies: list[float] = []
    for item in items:
        started = time.perf_counter()
        answer = assistant.ask(item.question)
        latencies.append((time.perf_counter() - started) * 1000)
        for scores in (groups["all"], groups[item.kind]):
            _score_answer(item, answer, scores)
    latencies.sort()
    table = {kind: groups[kind].row() for kind in ["all", *sorted(k for k in groups if k != "all")]}
    table["all"]["latency_p50_ms"] = latencies[len(latencies) // 2]
    table["all"]["latency_p95_ms"] = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    return table


def _score_answer(item: EvalItem, answer: Answer, scores: AnswerScores) -> None:
    if item.must_mention:
        scores.mention.append(
            sum(m in _answer_text(answer) for m in item.must_mention) / len(item.must_mention)
        )
    if item.kind == "out_of_scope":
        scores.declined_ok.append(1.0 if answer.declined else 0.0)
        return
    scores.false_declines.append(1.0 if answer.declined else 0.0)
    cited = _normalise(answer.citations, item.kind)
    gold = set(_normalise(item.gold, item.kind))
    allowed = gold | set(_normalise(item.acceptable, item.kind))
    if not answer.declined:
        scores.unsure.append(0.0 if answer.confident else 1.0)
    if gold and not answer.declined:
        scores.no_relevant.append(0.0 if allowed & set(cited) else 1.0)
        if answer.confident:
            scores.confident_first.append(1.0 if cited[:1] and cited[0] in allowed else 0.0)
    if gold:
        scores.recall.append(len(gold & set(cited)) / len(gold))
    if cited:
        scores.precision.append(sum(ref in allowed for ref in cited) / len(cited))
    if item.expect:
        scores.conclusion_ok.append(1.0 if opening_stance(answer.conclusion) == item.expect else 0.0)
    if item.category in EXPLICIT_CATEGORIES:
        scores.explicit_first.append(1.0 if cited[:1] and cited[0] in gold else 0.0)


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
