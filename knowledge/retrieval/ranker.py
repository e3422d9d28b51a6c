"""A learned ranker choosing among the articles hybrid retrieval found: a logistic model over features of each
candidate (dense and lexical scores and ranks, similarity to the bank's questions of the article, what the
question asks for against what kind of rule the article states, the law named, the chapter).

Its weights are fitted offline on the question bank (``scripts/train_ranker.py``) and shipped in
``knowledge/data/ranker.json``; at run time they are read once and applied with numpy, never refitted.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from knowledge.models import Article, Hit
from knowledge.retrieval.intent import intents_of
from knowledge.retrieval.penalties import asks_consequence, is_liability

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "ranker.json"
CANDIDATES = 10  # the fused hits the ranker reorders

_NUMBER = r"[一二三四五六七八九十百千两\d]+"
# The kind of rule an article states, read from its wording.
ARTICLE_KINDS: dict[str, re.Pattern[str]] = {
    "duty": re.compile(r"应当|必须"),
    "prohibition": re.compile(r"不得|禁止|严禁"),
    "procedure": re.compile(r"申请|审查|听证|告知|送达|决定书|程序|受理|陈述|申辩"),
    "definition": re.compile(r"是指|所称|分为|包括"),
    "authority": re.compile(r"主管部门|人民政府|负责|监督管理"),
    "deadline": re.compile(rf"{_NUMBER}个?(?:工作日|日|小时|个月|年)内|期限|有效期|时效"),
    "approval": re.compile(r"批准|许可|审批|备案|登记"),
}
# What a question asks for (besides consequences, deadlines, authorities and definitions: see intent.py).
_ASKS_PERMISSION = re.compile(
    r"能不能|能否|可不可以|可以吗|可以不|是否可以|允许|行不行|能吗|\bcan\b|\bmay\b", re.I
)
_ASKS_NEED = re.compile(
    r"要不要|需不需要|需要吗|是否需要|必须|得不得|用不用|\bneed\b|\bmust\b|required", re.I
)
_ASKS_PROCEDURE = re.compile(
    r"怎么办|怎么申请|如何申请|流程|程序|步骤|手续|怎么走|听证|告知|申辩|how to|procedure", re.I
)
_ASKS_APPROVAL = re.compile(r"审批|批准|许可证?|备案|登记|报批|approval|permit|licen[cs]e|filing", re.I)
_GENERAL_CHAPTER = re.compile(r"总则|附则")

QUESTION_KINDS = (
    "consequence",
    "deadline",
    "authority",
    "definition",
    "permission",
    "need",
    "procedure",
    "approval",
)
# (question kind, article kind) pairs whose co-occurrence is a feature.
PAIRS = (
    ("consequence", "penalty"),
    ("deadline", "deadline"),
    ("authority", "authority"),
    ("definition", "definition"),
    ("permission", "prohibition"),
    ("permission", "approval"),
    ("need", "duty"),
    ("need", "approval"),
    ("procedure", "procedure"),
    ("approval", "approval"),
)
FEATURES = (
    "fused_rank",
    "fused_ratio",
    "dense",
    "dense_gap",
    "dense_rank",
    "lexical_ratio",
    "lexical_rank",
    "bank_max",
    "bank_gap",
    "bank_mean3",
    "bank_rank",
    "bank_none",
    "law_named",
    "other_law_named",
    "general_chapter",
    *(f"kind_{kind}" for kind in ARTICLE_KINDS),
    "kind_penalty",
    "asks_consequence",
    *(f"{asked}_x_{kind}" for asked, kind in PAIRS),
)


def question_kinds(question: str) -> frozenset[str]:
    """What ``question`` asks for."""
    kinds = set(intents_of(question))
    if asks_consequence(question):
        kinds.add("consequence")
    for name, pattern in (
        ("permission", _ASKS_PERMISSION),
        ("need", _ASKS_NEED),
        ("procedure", _ASKS_PROCEDURE),
        ("approval", _ASKS_APPROVAL),
    ):
        if pattern.search(question):
            kinds.add(name)
    return frozenset(kinds)


def article_kinds(article: Article) -> frozenset[str]:
    """The kinds of rule ``article`` states."""
    kinds = {name for name, pattern in ARTICLE_KINDS.items() if pattern.search(article.text)}
    if is_liability(article):
        kinds.add("penalty")
    return frozenset(kinds)


@dataclass(frozen=True)
class Candidate:
    """One fused hit with what the ranker knows of its article."""

    hit: Hit
    kinds: frozenset[str]
    chapter: str
    bank: tuple[float, float]  # best and mean-of-three similarity to the article's bank questions
    law_named: bool


def features(asked: frozenset[str], candidates: Sequence[Candidate], any_law_named: bool) -> np.ndarray:
    """One row of ``FEATURES`` per candidate (in fused order)."""
    top_fused = max((c.hit.score for c in candidates), default=0.0) or 1.0
    top_dense = max((c.hit.dense for c in candidates), default=0.0)
    top_lexical = max((c.hit.lexical for c in candidates), default=0.0)
    top_bank = max((c.bank[0] for c in candidates), default=0.0)
    dense_rank = _ranks([c.hit.dense for c in candidates])
    lexical_rank = _ranks([c.hit.lexical for c in candidates])
    bank_rank = _ranks([c.bank[0] for c in candidates])
    rows: list[list[float]] = []
    for i, c in enumerate(candidates):
        has_bank = c.bank[0] > 0
        row = [
            1.0 / (i + 1),
            c.hit.score / top_fused,
            c.hit.dense,
            c.hit.dense - top_dense,
            1.0 / (dense_rank[i] + 1) if c.hit.dense > 0 else 0.0,
            c.hit.lexical / top_lexical if top_lexical > 0 else 0.0,
            1.0 / (lexical_rank[i] + 1) if c.hit.lexical > 0 else 0.0,
            c.bank[0],
            c.bank[0] - top_bank if has_bank else -0.2,
            c.bank[1],
            1.0 / (bank_rank[i] + 1) if has_bank else 0.0,
            0.0 if has_bank else 1.0,
            1.0 if c.law_named else 0.0,
            1.0 if any_law_named and not c.law_named else 0.0,
            1.0 if _GENERAL_CHAPTER.search(c.chapter) else 0.0,
            *(1.0 if kind in c.kinds else 0.0 for kind in ARTICLE_KINDS),
            1.0 if "penalty" in c.kinds else 0.0,
            1.0 if "consequence" in asked else 0.0,
            *(1.0 if a in asked and k in c.kinds else 0.0 for a, k in PAIRS),
        ]
        rows.append(row)
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def _ranks(values: list[float]) -> list[int]:
    order = sorted(range(len(values)), key=lambda i: -values[i])
    ranks = [0] * len(values)
    for rank, i in enumerate(order):
        ranks[i] = rank
    return ranks


@dataclass(frozen=True)
class RankerModel:
    """A fitted logistic model: standardisation, weights, and the margin under which an answer is unsure."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    sure_margin: float  # the top candidate's share minus the runner-up's, at least this → confident
    provenance: str = ""

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """The logit of each row."""
        return ((rows - self.mean) / self.scale) @ self.weights + self.bias

    def as_dict(self) -> dict[str, object]:
        return {
            "features": list(self.features),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": self.weights.tolist(),
            "bias": self.bias,
            "sure_margin": self.sure_margin,
            "provenance": self.provenance,
        }

    @classmethod
    def from_dict(cls, raw: dict) -> RankerModel:
        return cls(
            tuple(raw["features"]),
            np.array(raw["mean"], dtype=np.float64),
            np.array(raw["scale"], dtype=np.float64),
            np.array(raw["weights"], dtype=np.float64),
            float(raw["bias"]),
            float(raw["sure_margin"]),
            str(raw.get("provenance", "")),
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@cache
def shipped_ranker(path: Path = MODEL_PATH) -> RankerModel | None:
    """The shipped model, or None when there is none or it was fitted on other features (then fused order
    stands)."""
    if not path.exists():
        return None
    model = RankerModel.from_dict(json.loads(path.read_text(encoding="utf-8")))
    return model if model.features == FEATURES else None


def shares(logits: np.ndarray) -> np.ndarray:
    """Softmax of the candidates' logits: how the ranker's belief is shared among them."""
    if len(logits) == 0:
        return logits
    top = float(np.max(logits))
    weights = np.array([math.exp(v - top) for v in logits])
    return weights / weights.sum()
