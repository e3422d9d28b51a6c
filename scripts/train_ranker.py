"""Fit the learned ranker on the question bank and write ``knowledge/data/ranker.json``.

Run after ``pufa ingest`` (it reads the index of ``PUFA_DATA_DIR``)::

    .venv/bin/python scripts/train_ranker.py [--out knowledge/data/ranker.json]

Each bank question is searched as a user's question would be (fused hybrid retrieval, the ranker off); its
candidates' features take the bank signal from every bank question except those of the same writer and
voice, so the model learns how much a *different* person's phrasing tells. Validation holds out one voice at
a time (its questions neither trained on nor in the bank signal) and reports held-out R@1 of the fused order
and of the ranker; the margin under which an answer is unsure is chosen on those held-out predictions so that
confident answers are right first at least ``--target`` of the time.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.settings import Settings  # noqa: E402
from knowledge.assistant import Assistant  # noqa: E402
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


def fit(groups: list[Group], regularisation: float) -> RankerModel:
    from sklearn.linear_model import LogisticRegression

    usable = [g for g in groups if g.labels.any()]
    rows = np.vstack([g.rows for g in usable])
    labels = np.concatenate([g.labels for g in usable])
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=regularisation, max_iter=2000)
    model.fit((rows - mean) / scale, labels)
    return RankerModel(FEATURES, mean, scale, model.coef_[0], float(model.intercept_[0]), 0.0)


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
        model = fit([g for g in groups if g.voice != voice], args.regularisation)
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
        print(f"  margin {threshold:.2f}: confident {len(sure) / len(held_out):.3f}, right first {np.mean(sure):.3f}")
    final = fit(groups, args.regularisation)
    if args.sure_margin is not None:
        sure = [ok for ok, m in held_out if m >= args.sure_margin]
        margin, precision, confident = args.sure_margin, float(np.mean(sure)), len(sure) / len(held_out)
    provenance = (
        f"Fitted {date.today().isoformat()} by scripts/train_ranker.py on {len(groups)} questions of the bank "
        f"(knowledge/data/bank/). Voice-held-out R@1: fused {fused_all:.3f}, ranker {ranker_all:.3f}; "
        f"sure margin {margin:.2f} (bank held-out: right first {precision:.3f} among confident, "
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
