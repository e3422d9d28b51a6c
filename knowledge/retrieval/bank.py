"""The question bank: for each article, questions it answers, written by people who read only the law texts
(``knowledge/data/bank/``, see its README). Used three ways: as served examples of the request classifier,
as training data of the ranker, and as a retrieval signal — how close a question comes to the questions an
article is known to answer ("associated questions").

The bank's query vectors ship precomputed (``vectors.npz``), keyed by embedder name and a hash of the text;
ingest recomputes those missing for its embedder (of the articles it holds) and keeps the set beside the
index.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from knowledge.errors import CorpusError
from knowledge.models import ArticleRef

BANK_DIR = Path(__file__).resolve().parents[1] / "data" / "bank"
VECTORS_NAME = "bank-vectors.npz"
SHIPPED_VECTORS = BANK_DIR / "vectors.npz"
SELF_REPORT_VOICE = "self_report"  # questions admitting a past or ongoing failing


@dataclass(frozen=True)
class BankQuestion:
    """One question of the bank and the article (款 if given) that answers it."""

    ref: ArticleRef
    question: str
    voice: str
    lang: str
    writer: str
    clause: int = 0


@cache
def bank_questions(folder: Path = BANK_DIR) -> tuple[BankQuestion, ...]:
    """Every question of the bank files (``*.jsonl``) in ``folder``, in file order."""
    questions: list[BankQuestion] = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                questions.append(
                    BankQuestion(
                        ArticleRef(raw["doc"], int(raw["article"])),
                        raw["question"].strip(),
                        raw.get("voice", ""),
                        raw.get("lang", "zh"),
                        raw.get("writer", path.stem),
                        int(raw.get("clause") or 0),
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
                raise CorpusError(f"{path}:{number}: 题库格式错误（bad bank line）: {exc}") from exc
    return tuple(questions)


def text_key(embedder_name: str, text: str) -> str:
    """The key of a question's vector: changes with the embedder and with the text."""
    return hashlib.sha256(f"{embedder_name}\0{text}".encode()).hexdigest()[:24]


def _read_vectors(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            return dict(zip((str(k) for k in data["keys"]), data["vectors"], strict=True))
    except (OSError, KeyError, ValueError):
        return {}


def write_vectors(path: Path, vectors: dict[str, np.ndarray]) -> None:
    """Atomically: a temporary file, then rename."""
    keys = sorted(vectors)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
    np.savez(
        tmp,
        keys=np.array(keys),
        vectors=np.stack([vectors[k] for k in keys]).astype(np.float16)
        if keys
        else np.zeros((0, 0), np.float16),
    )
    os.replace(tmp, path)


def prepare_vectors(
    folder: Path, embedder_name: str, embed_query: Callable[[str], np.ndarray], bank: Sequence[BankQuestion]
) -> int:
    """Write the bank's vectors for ``embedder_name`` to ``folder`` (at ingest): taken from the shipped set
    or the previous one when key matches, computed otherwise. Returns how many were computed."""
    known = {**_read_vectors(SHIPPED_VECTORS), **_read_vectors(folder / VECTORS_NAME)}
    wanted = {text_key(embedder_name, q.question): q.question for q in bank}
    computed = 0
    vectors: dict[str, np.ndarray] = {}
    for key, text in wanted.items():
        if key not in known:
            known[key] = embed_query(text)
            computed += 1
        vectors[key] = known[key]
    if (
        computed
        or not (folder / VECTORS_NAME).exists()
        or set(_read_vectors(folder / VECTORS_NAME)) != set(wanted)
    ):
        write_vectors(folder / VECTORS_NAME, vectors)
    return computed


class QuestionBank:
    """The bank's questions of the articles held, with their vectors: similarity of a question to each
    article's questions."""

    def __init__(self, questions: Sequence[BankQuestion], vectors: np.ndarray) -> None:
        self.questions = tuple(questions)
        self.vectors = vectors.astype(np.float32)
        self._rows: dict[ArticleRef, np.ndarray] = {}
        for i, question in enumerate(self.questions):
            self._rows.setdefault(question.ref, np.zeros(0, dtype=np.int64))
            self._rows[question.ref] = np.append(self._rows[question.ref], i)

    @classmethod
    def load(
        cls, embedder_name: str, folder: Path | None, held: set[ArticleRef] | None = None
    ) -> QuestionBank:
        """The bank's questions whose vectors for ``embedder_name`` are known (from ``folder``, written at
        ingest, or the shipped set), of the articles ``held``."""
        known = _read_vectors(SHIPPED_VECTORS)
        if folder is not None:
            known.update(_read_vectors(folder / VECTORS_NAME))
        kept: list[BankQuestion] = []
        rows: list[np.ndarray] = []
        for question in bank_questions():
            vector = known.get(text_key(embedder_name, question.question))
            if vector is not None and (held is None or question.ref in held):
                kept.append(question)
                rows.append(vector)
        matrix = np.stack(rows) if rows else np.zeros((0, 1), np.float32)
        return cls(kept, matrix)

    def __len__(self) -> int:
        return len(self.questions)

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        """Cosine of ``vector`` to every question (vectors are L2-normalised)."""
        if not self.questions:
            return np.zeros(0, np.float32)
        return self.vectors @ vector.astype(np.float32)

    def article_scores(
        self, similarities: np.ndarray, refs: Sequence[ArticleRef], mask: np.ndarray | None = None
    ) -> list[tuple[float, float]]:
        """(best, mean of the best three) similarity of each of ``refs``' questions (0 when it has none);
        ``mask`` leaves questions out (False) — e.g. one writer's, when learning from that writer."""
        scores: list[tuple[float, float]] = []
        for ref in refs:
            rows = self._rows.get(ref)
            if rows is not None and mask is not None:
                rows = rows[mask[rows]]
            if rows is None or len(rows) == 0:
                scores.append((0.0, 0.0))
                continue
            values = np.sort(similarities[rows])[::-1]
            scores.append((float(values[0]), float(values[:3].mean())))
        return scores
