"""Which typical cases illustrate an answer. A case must (1) be governed today by an article the answer
rests on — an article it quotes, or the penalty article enforcing one it quotes —, (2) belong to the domain
the question is about: of the regulated domains, the question must lie nearest to the articles of the case's
own (a question on laboratory animals never gets a human-genetic-resources case, however alike the conduct),
and (3) fit the question: its facts and lesson must be closer to the question than the case library is on
average (e5 cosine), helped by the rarer words they share — a little less close when the answer quotes an
article of the case's own law that governs it. None when none fits: a wrong case is worse than none. A refusal to help
evade the law gets its case too: the rule, the penalty, and who did exactly that."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from knowledge.cases.lookup import cite_case
from knowledge.index.snapshot import CASE_PREFIX
from knowledge.law.curated import penalty_links
from knowledge.law.domains import REGULATED
from knowledge.law.library import Library
from knowledge.models import Answer, ArticleRef, CitedCase
from knowledge.retrieval.lexical import tokenize
from knowledge.retrieval.retriever import Retriever


@dataclass(frozen=True)
class CaseTuning:
    """Tuned on the ``dev`` phrasings of tests/knowledge/case_phrasings.toml (the ``test`` ones are held out)."""

    min_score: float = 0.03  # similarity above the library's mean for the question, plus the word bonus
    quoted_min_score: float = (
        0.02  # the same, when the answer quotes an article of the case's own law governing it
    )
    word_weight: float = 0.005  # bonus per shared word, times its inverse case frequency (log)
    second_margin: float = 0.005  # a second case only when this close to the first
    max_cases: int = 2


def _words(text: str) -> set[str]:
    return {token for token in tokenize(text) if len(token) >= 2}


class CaseMatcher:
    """Scores every case against a question vector; the vectors come from the index (one per case)."""

    def __init__(self, library: Library, retriever: Retriever, tuning: CaseTuning = CaseTuning()) -> None:
        self.library = library
        self.tuning = tuning
        stored = [(case_id, retriever.records_of(CASE_PREFIX + case_id)) for case_id in library.cases]
        self._ids = [case_id for case_id, records in stored if records]
        vectors = retriever.store.vectors([records[0] for _, records in stored if records])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else 1.0
        self._vectors = vectors / np.where(norms == 0, 1.0, norms)
        self._words = [_words(library.cases[case_id].text) for case_id in self._ids]
        counts = Counter(word for words in self._words for word in words)
        self._idf = {word: math.log(1 + len(self._ids) / n) for word, n in counts.items()}
        self._penalties: dict[ArticleRef, set[ArticleRef]] = {}
        for link in penalty_links():
            self._penalties.setdefault(link.obligation, set()).add(link.penalty)
        self._domains = {case_id: cite_case(library, library.cases[case_id]).domains for case_id in self._ids}
        self._centroids = _domain_centroids(library, retriever)

    def domain_of(self, vector: np.ndarray) -> str | None:
        """The regulated domain whose articles lie nearest to the question (centroid cosine); None if unknown."""
        if not self._centroids:
            return None
        unit = vector / (np.linalg.norm(vector) or 1.0)
        return max(self._centroids, key=lambda domain: float(self._centroids[domain] @ unit))

    def scores(self, question: str, vector: np.ndarray) -> dict[str, float]:
        """Each case's fit to the question: similarity minus the mean over all cases, plus shared words."""
        if not self._ids:
            return {}
        similarities = self._vectors @ (vector / (np.linalg.norm(vector) or 1.0))
        mean = float(similarities.mean())
        asked = _words(question)
        return {
            case_id: float(similarity)
            - mean
            + self.tuning.word_weight * sum(self._idf[word] for word in asked & words)
            for case_id, similarity, words in zip(self._ids, similarities, self._words, strict=True)
        }

    def rests_on(self, answer: Answer) -> set[ArticleRef]:
        """The articles the answer quotes and the penalty articles enforcing them (its liability lines)."""
        quoted = set(answer.citations)
        return quoted.union(*(self._penalties.get(ref, set()) for ref in quoted))

    def match(self, answer: Answer, vector: np.ndarray, refusal: bool = False) -> list[CitedCase]:
        """The cases that fit ``answer`` (asked as ``vector``), best first; none for a declined answer unless
        it is the ``refusal`` of a request to evade the law."""
        if answer.declined and not refusal:
            return []
        quoted, articles = set(answer.citations), self.rests_on(answer)
        domain = self.domain_of(vector)
        fitting = sorted(
            (
                (score, case_id)
                for case_id, score in self.scores(answer.question, vector).items()
                if (domain is None or domain in self._domains[case_id])
                and articles & set(self.library.cases[case_id].today)
                and score >= self._floor(quoted, case_id)
            ),
            reverse=True,
        )
        if not fitting:
            return []
        top = fitting[0][0]
        chosen = [case_id for score, case_id in fitting if score >= top - self.tuning.second_margin]
        return [cite_case(self.library, self.library.cases[c]) for c in chosen[: self.tuning.max_cases]]

    def _floor(self, quoted: set[ArticleRef], case_id: str) -> float:
        """The least score: lower when the answer quotes an article of the case's own law (the law of its first
        governing article) among those governing it — not a general article of another law naming it too."""
        today = self.library.cases[case_id].today
        own = {ref for ref in today if ref.doc_id == today[0].doc_id} if today else set()
        return self.tuning.quoted_min_score if quoted & own else self.tuning.min_score


def _domain_centroids(library: Library, retriever: Retriever) -> dict[str, np.ndarray]:
    """Per regulated domain, the unit mean of the vectors of the documents governing that domain alone."""
    centroids: dict[str, np.ndarray] = {}
    for domain in REGULATED:
        records = [
            record
            for doc in library.catalog.documents
            if tuple(doc.domains) == (domain,)
            for record in retriever.records_of(doc.id)
        ]
        if not records:
            continue
        vectors = retriever.store.vectors(records)
        vectors = vectors / np.where(
            (norms := np.linalg.norm(vectors, axis=1, keepdims=True)) == 0, 1.0, norms
        )
        mean = vectors.mean(axis=0)
        centroids[domain] = mean / (np.linalg.norm(mean) or 1.0)
    return centroids
