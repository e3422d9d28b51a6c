"""Fit the learned ranker on the question bank and write ``knowledge/data/ranker.json``.

Run after ``pufa ingest`` (it reads the index of ``PUFA_DATA_DIR``)::

    .venv/bin/python scripts/train_ranker.py [--out knowledge/data/ranker.json]

Each bank question is searched as a user's question would be (fused hybrid retrieval, the ranker off); its
candidates' features take the bank signal from every bank question except those of the same writer and
voice, so the model learns how much a *different* person's phrasing tells. Validation holds out one voice at
a time (its questions neither trained on nor in the bank signal) and reports held-out R@1 of the fused order
and of the ranker; the margin under which an answer is unsure is chosen on those held-out predictions so that
confident answers are right first at least ``--target`` of the time.

The model is fitted listwise by default: a softmax over each question's candidates (the form in which its
shares are read at run time), so that it learns which candidate beats the others rather than how likely each
is on its own (``--objective pointwise`` for the earlier per-candidate logistic fit). ``--calibrate`` chooses
the sure margin on question sets in the evaluation layout instead (e.g. tuning sets written by other people
than the bank's writers): the smallest margin whose confident answers there are right first at least
``--target`` of the time.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.settings import Settings  # noqa: E402
from knowledge.assistant import Assistant  # noqa: E402
from knowledge.models import ArticleRef  # noqa: E402
from knowledge.retrieval.ranker import CANDIDATES, FEATURES, MODEL_PATH, RankerModel, features, shares  # noqa: E402
from knowledge.retrieval.retriever import BANK_NEIGHBOURS  # noqa: E402

POOL = CANDIDATES + BANK_NEIGHBOURS  # with the ranker off, search returns the pool in this order


@dataclass
class Group:
    """One bank question's candidates: feature rows, which is right, who wrote it."""

    rows: np.ndarray
    labels: np.ndarray
    voice: str
    writer: str


def collect(assistant: Assistant) -> list[Group]:
    retriever = assistant.retriever
    assert retriever is not None
    retriever.ranker = None  # the fused order, as the ranker will see it
    bank = retriever.bank
    voices = np.array([q.voice for q in bank.questions])
    writers = np.array([q.writer for q in bank.questions])
    groups: list[Group] = []
    for i, question in enumerate(bank.questions):
        vector = bank.vectors[i]
        mask = ~((voices == question.voice) & (writers == question.writer))
        hits = retriever.search(question.question, POOL, vector=vector, bank_mask=mask)
        asked, found, named = retriever.candidates(question.question, hits, vector, mask)
        if not found:
            continue
        labels = np.array([c.hit.ref == question.ref for c in found], dtype=np.int64)
        groups.append(Group(features(asked, found, named), labels, question.voice, question.writer))
        if (i + 1) % 200 == 0:
            print(f"  {i + 1}/{len(bank)}", file=sys.stderr)
    return groups


def collect_items(assistant: Assistant, paths: list[Path]) -> list[Group]:
    """The candidates of the answerable questions of evaluation-layout sets (``gold`` and ``acceptable``
    articles count as right; the two versions of the biosecurity law as one), for calibration only."""
    retriever = assistant.retriever
    assert retriever is not None
    retriever.ranker = None
    groups: list[Group] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line) if line.strip() else {}
            if not item.get("gold") or item.get("kind") == "out_of_scope":
                continue
            right = {_same_law(ArticleRef(g["doc"], int(g["article"]))) for g in item["gold"]}
            right |= {_same_law(ArticleRef(g["doc"], int(g["article"]))) for g in item.get("acceptable", [])}
            vector = retriever.embedder.embed_query(item["question"])
            hits = retriever.search(item["question"], POOL, vector=vector)
            asked, found, named = retriever.candidates(item["question"], hits, vector)
            if found:
                labels = np.array([_same_law(c.hit.ref) in right for c in found], dtype=np.int64)
                groups.append(Group(features(asked, found, named), labels, path.stem, path.stem))
    return groups


def _same_law(ref: ArticleRef) -> tuple[str, int]:
    """An article's key with the versions of the biosecurity law merged (a question not about versions is
    answered by either)."""
    doc = "biosecurity-law" if ref.doc_id.startswith("biosecurity-law-") else ref.doc_id
    return doc, ref.article


def fit(groups: list[Group], regularisation: float, objective: str = "listwise") -> RankerModel:
    usable = [g for g in groups if g.labels.any()]
    rows = np.vstack([g.rows for g in usable])
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale == 0] = 1.0
    if objective == "pointwise":
        from sklearn.linear_model import LogisticRegression

        labels = np.concatenate([g.labels for g in usable])
        model = LogisticRegression(C=regularisation, max_iter=2000)
        model.fit((rows - mean) / scale, labels)
        return RankerModel(FEATURES, mean, scale, model.coef_[0], float(model.intercept_[0]), 0.0)
    weights = fit_listwise([((g.rows - mean) / scale, g.labels) for g in usable], regularisation)
    return RankerModel(FEATURES, mean, scale, weights, 0.0, 0.0)


def fit_listwise(lists: list[tuple[np.ndarray, np.ndarray]], regularisation: float) -> np.ndarray:
    """Weights minimising the mean cross-entropy between each list's softmax and its right candidates
    (shared equally when several are right), plus an L2 penalty of ``1 / regularisation`` per question."""
    from scipy.optimize import minimize

    targets = [labels / labels.sum() for _, labels in lists]
    penalty = 1.0 / (regularisation * len(lists))

    def loss(weights: np.ndarray) -> tuple[float, np.ndarray]:
        total, gradient = 0.0, np.zeros_like(weights)
        for (rows, _), target in zip(lists, targets, strict=True):
            logits = rows @ weights
            logits -= logits.max()
            share = np.exp(logits) / np.exp(logits).sum()
            total -= float(target @ np.log(share + 1e-12))
            gradient += rows.T @ (share - target)
        n = len(lists)
        return total / n + penalty * float(weights @ weights) / 2, gradient / n + penalty * weights

    start = np.zeros(lists[0][0].shape[1])
    return np.asarray(minimize(loss, start, jac=True, method="L-BFGS-B").x)


def first_right(group: Group, model: RankerModel | None) -> tuple[bool, float]:
    """Whether the first candidate is right (fused order if no model), and the ranker's margin."""
    if model is None:
        return bool(group.labels[0]), 0.0
    share = shares(model.scores(group.rows))
    order = np.argsort(-share)
    margin = float(share[order[0]] - (share[order[1]] if len(order) > 1 else 0.0))
    return bool(group.labels[order[0]]), margin


def sure_margin(outcomes: list[tuple[bool, float]], target: float) -> tuple[float, float, float]:
    """The smallest margin whose confident answers are right first at least ``target`` of the time;
    (margin, precision, share confident)."""
    ranked = sorted(outcomes, key=lambda o: -o[1])
    best = (1.01, 1.0, 0.0)
    right = 0
    for n, (ok, margin) in enumerate(ranked, start=1):
        right += ok
        if right / n >= target:
            best = (margin, right / n, n / len(ranked))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--regularisation", type=float, default=1.0)
    parser.add_argument("--objective", choices=("listwise", "pointwise"), default="listwise")
    parser.add_argument(
        "--calibrate",
        type=Path,
        nargs="*",
        default=[],
        help="question sets in the evaluation layout on which to choose the sure margin (the fitted model's "
        "right-first among confident answers at least --target)",
    )
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument(
        "--sure-margin",
        type=float,
        default=None,
        help="use this margin instead of the one reaching --target on the bank (the bank's questions are "
        "harder than users': there that target leaves most answers unsure)",
    )
    args = parser.parse_args()
    assistant = Assistant.open(Settings.from_env())
    groups = collect(assistant)
    voices = sorted({g.voice for g in groups})
    print(f"bank questions searched: {len(groups)}; voices {dict(Counter(g.voice for g in groups))}")
    print(f"gold among the {POOL} candidates: {np.mean([g.labels.any() for g in groups]):.3f}")
    held_out: list[tuple[bool, float]] = []
    print(f"{'held-out voice':16s} {'n':>5s} {'fused R@1':>10s} {'ranker R@1':>11s}")
    for voice in voices:
        model = fit([g for g in groups if g.voice != voice], args.regularisation, args.objective)
        test = [g for g in groups if g.voice == voice]
        fused = np.mean([first_right(g, None)[0] for g in test])
        outcomes = [first_right(g, model) for g in test]
        held_out += outcomes
        print(f"{voice:16s} {len(test):5d} {fused:10.3f} {np.mean([o[0] for o in outcomes]):11.3f}")
    fused_all = np.mean([first_right(g, None)[0] for g in groups])
    ranker_all = np.mean([o[0] for o in held_out])
    margin, precision, confident = sure_margin(held_out, args.target)
    print(f"{'all':16s} {len(groups):5d} {fused_all:10.3f} {ranker_all:11.3f}")
    print(f"sure margin {margin:.3f}: right first {precision:.3f} among confident, confident {confident:.3f}")
    for threshold in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        sure = [ok for ok, m in held_out if m >= threshold]
        print(
            f"  margin {threshold:.2f}: confident {len(sure) / len(held_out):.3f}, right first {np.mean(sure):.3f}"
        )
    final = fit(groups, args.regularisation, args.objective)
    calibrated_on = "bank held-out"
    if args.calibrate:
        outcomes = [first_right(g, final) for g in collect_items(assistant, args.calibrate)]
        margin, precision, confident = sure_margin(outcomes, args.target)
        calibrated_on = "calibrated on " + ", ".join(p.stem for p in args.calibrate)
    elif args.sure_margin is not None:
        sure = [ok for ok, m in held_out if m >= args.sure_margin]
        margin, precision, confident = args.sure_margin, float(np.mean(sure)), len(sure) / len(held_out)
    provenance = (
        f"Fitted {date.today().isoformat()} by scripts/train_ranker.py on {len(groups)} questions of the bank "
        f"(knowledge/data/bank/), {args.objective}. Voice-held-out R@1: fused {fused_all:.3f}, ranker "
        f"{ranker_all:.3f}; sure margin {margin:.2f} ({calibrated_on}: right first {precision:.3f} among confident, "
        f"confident {confident:.3f})."
    )
    RankerModel(FEATURES, final.mean, final.scale, final.weights, final.bias, margin, provenance).save(
        args.out
    )
    for name, weight in sorted(zip(FEATURES, final.weights, strict=True), key=lambda p: -abs(p[1]))[:12]:
        print(f"  {name:28s} {weight:+.3f}")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
