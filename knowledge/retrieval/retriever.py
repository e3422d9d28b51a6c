"""Hybrid retrieval: dense vectors from Chroma and BM25 over jieba tokens, fused by reciprocal rank."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np

from knowledge.index.embedders import Embedder
from knowledge.index.snapshot import Snapshot
from knowledge.index.store import VectorStore
from knowledge.law.curated import penalty_links, phrasings_for, with_legal_terms
from knowledge.law.library import Library
from knowledge.models import ArticleRef, Hit
from knowledge.retrieval.bank import QuestionBank
from knowledge.retrieval.intent import answered_by, intents_of
from knowledge.retrieval.lexical import BM25, bm25_of, tokenize
from knowledge.retrieval.penalties import PenaltyIndex, PenaltyItem, asks_consequence
from knowledge.retrieval.ranker import (
    CANDIDATES,
    Candidate,
    RankerModel,
    article_kinds,
    features,
    question_kinds,
    shares,
    shipped_ranker,
)

Method = Literal["hybrid", "bm25", "dense"]
Neighbours = list[tuple[str, float]]  # (record id, cosine similarity), best first
NEIGHBOURS = 300  # records fetched per question
MAX_OBLIGATIONS_PER_ACT = 3
BANK_NEIGHBOURS = 5  # articles of the nearest bank questions added to the ranker's candidates  # a penalty clause linked to more obligations than this is a catch-all


@dataclass(frozen=True)
class FusionWeights:
    """Reciprocal-rank fusion parameters (tuned on the dev set as a whole, see ``pufa eval``)."""

    rrf_k: int = 60
    dense: float = 2.0
    lexical: float = 1.0
    depth: int = 50
    penalty_item: float = 0.02  # penalty questions: added for the best-matching enumerated act (scaled 0–1)
    intent: float = 0.001  # added to an article worded as an answer to the kind of question asked


class Retriever:
    """Searches the articles of the versions in force (or in force on ``as_of``)."""

    def __init__(
        self,
        library: Library,
        snapshot: Snapshot,
        store: VectorStore,
        embedder: Embedder,
        weights: FusionWeights = FusionWeights(),
        bank: QuestionBank | None = None,
        ranker: RankerModel | None = None,
        models: Path | None = None,
    ) -> None:
        """``bank``: the question bank with its vectors (default: the shipped vectors of ``embedder``);
        ``ranker``: the learned ranker (default: the shipped one); ``models``: the folder beside the index
        where the BM25 statistics are kept (None: computed here)."""
        self.library = library
        self.store = store
        self.embedder = embedder
        self.weights = weights
        self._refs: list[ArticleRef] = [article.ref for article in snapshot.articles]
        self._record_ref = {r.id: ArticleRef(r.doc_id, r.article) for r in snapshot.records}
        self._record_doc = {r.id: r.doc_id for r in snapshot.records}
        self._ref_docs = np.array([ref.doc_id for ref in self._refs], dtype=str)
        self._bm25, self.penalties = lexical_indexes(library, self._refs, models)
        self._answers = {ref: answered_by(article) for ref, article in library.articles.items()}
        self._kinds = {ref: article_kinds(article) for ref, article in library.articles.items()}
        held = set(library.articles)
        self.bank = bank if bank is not None else QuestionBank.load(embedder.name, None, held)
        self.ranker = ranker if ranker is not None else shipped_ranker()

    def search(
        self,
        question: str,
        k: int = 10,
        as_of: date | None = None,
        domain: str | None = None,
        method: Method = "hybrid",
        vector: np.ndarray | None = None,
        neighbours: Neighbours | None = None,
        bank_mask: np.ndarray | None = None,
    ) -> list[Hit]:
        """The ``k`` best articles, best first (``vector``, ``neighbours``: of the question, if already known;
        ``bank_mask``: the bank questions to use, all if None)."""
        doc_ids = self.library.catalog.competing_ids(as_of, domain)
        if not doc_ids or not question.strip():
            return []
        dense: dict[ArticleRef, float] = {}
        if method != "bm25":
            vector = self.embedder.embed_query(question) if vector is None else vector
            dense = self._dense(vector, doc_ids, neighbours or self.neighbours(vector))
        lexical = self._lexical(with_legal_terms(question), set(doc_ids)) if method != "dense" else {}
        fused: dict[ArticleRef, float] = {}
        for weight, scores in ((self.weights.dense, dense), (self.weights.lexical, lexical)):
            ranked = sorted(scores, key=scores.__getitem__, reverse=True)[: self.weights.depth]
            for rank, ref in enumerate(ranked):
                fused[ref] = fused.get(ref, 0.0) + weight / (self.weights.rrf_k + rank + 1)
        if method == "hybrid" and asks_consequence(question):
            self._add_penalty_items(fused, with_legal_terms(question), set(doc_ids))
        if method == "hybrid":
            self._add_intent(fused, question)
        best = sorted(fused, key=fused.__getitem__, reverse=True)[: max(k, CANDIDATES)]
        pool = best[:CANDIDATES]
        similarities = None  # of the question to every bank question: computed once, read twice
        if method == "hybrid" and vector is not None:
            similarities = self.bank.similarities(vector)
            pool += self._bank_nearest(similarities, set(doc_ids), set(pool), bank_mask)
        hits = [
            Hit(
                ref,
                fused.get(ref, 0.0),
                self.library.document(ref.doc_id).title,
                dense.get(ref, 0.0),
                lexical.get(ref, 0.0),
            )
            for ref in [*pool, *(ref for ref in best if ref not in pool)]
        ]
        if method == "hybrid" and self.ranker is not None and vector is not None:
            hits = self.rerank(question, hits, len(pool), vector, self.ranker, similarities)
        return hits[:k]

    def _bank_nearest(
        self, similarities: np.ndarray, doc_ids: set[str], pooled: set[ArticleRef], mask: np.ndarray | None
    ) -> list[ArticleRef]:
        """Articles whose bank questions come closest to the question (``similarities`` to each), when fusion
        did not pool them."""
        if mask is not None:
            similarities = np.where(mask, similarities, -1.0)
        added: list[ArticleRef] = []
        for i in np.argsort(-similarities)[: BANK_NEIGHBOURS * 3]:
            ref = self.bank.questions[int(i)].ref
            if ref.doc_id in doc_ids and ref not in pooled and ref not in added and ref in self._kinds:
                added.append(ref)
            if len(added) == BANK_NEIGHBOURS:
                break
        return added

    def candidates(
        self,
        question: str,
        hits: list[Hit],
        vector: np.ndarray,
        mask: np.ndarray | None = None,
        similarities: np.ndarray | None = None,
    ) -> tuple[frozenset[str], list[Candidate], bool]:
        """What the ranker knows of the candidate ``hits`` (``mask``: bank questions to use, all if None;
        ``similarities``: of ``vector`` to the bank's questions, if already known)."""
        if similarities is None:
            similarities = self.bank.similarities(vector)
        bank = self.bank.article_scores(similarities, [hit.ref for hit in hits], mask)
        named = self.library.parser.titles_named(question)
        found = [
            Candidate(
                hit,
                self._kinds.get(hit.ref, frozenset()),
                self.library.articles[hit.ref].chapter,
                scores,
                hit.title in named,
            )
            for hit, scores in zip(hits, bank, strict=True)
        ]
        return question_kinds(question), found, bool(named)

    def rerank(
        self,
        question: str,
        hits: list[Hit],
        pooled: int,
        vector: np.ndarray,
        model: RankerModel,
        similarities: np.ndarray | None = None,
    ) -> list[Hit]:
        """The first ``pooled`` hits in the ranker's order, each with its share of the ranker's belief; the
        rest after them (``similarities``: of ``vector`` to the bank's questions, if already known)."""
        asked, found, any_named = self.candidates(question, hits[:pooled], vector, similarities=similarities)
        if not found:
            return hits
        share = shares(model.scores(features(asked, found, any_named)))
        # A question about an act's consequences is answered by the article punishing that act: when fusion led
        # with a liability article (its enumerated act matched), liability articles keep the lead.
        penalty_first = "consequence" in asked and "penalty" in found[0].kinds
        order = sorted(
            range(len(found)), key=lambda i: (penalty_first and "penalty" not in found[i].kinds, -share[i])
        )
        # Scores stay in rank order: the ranked hits score their shares (largest first), the rest 0.
        scores = sorted((float(v) for v in share), reverse=True)
        ranked = [
            dataclasses.replace(found[i].hit, score=score, share=float(share[i]))
            for i, score in zip(order, scores, strict=True)
        ]
        return ranked + [dataclasses.replace(hit, score=0.0) for hit in hits[len(found) :]]

    def _add_penalty_items(self, fused: dict[ArticleRef, float], question: str, doc_ids: set[str]) -> None:
        """Raise the liability articles whose enumerated act matches the act in the question."""
        items = self.penalties.best_items(question, doc_ids)
        top = max((score for score, _ in items.values()), default=0.0)
        for ref, (score, _) in items.items():
            fused[ref] = fused.get(ref, 0.0) + self.weights.penalty_item * score / top

    def _add_intent(self, fused: dict[ArticleRef, float], question: str) -> None:
        """Raise the articles worded as an answer to the kind of question asked (a time limit, an authority,
        a definition)."""
        asked = intents_of(question)
        for ref in fused:
            if asked & self._answers[ref]:
                fused[ref] += self.weights.intent

    def neighbours(self, vector: np.ndarray) -> Neighbours:
        """The records nearest ``vector`` in the whole collection: one unfiltered query serves
        articles, FAQ questions and scope examples alike (a filtered query is several times slower)."""
        return [(rid, sim) for rid, sim in self.store.query(vector, NEIGHBOURS) if rid in self._record_doc]

    def nearest(self, doc_ids: list[str], neighbours: Neighbours) -> list[tuple[str, float]]:
        """(doc_id, similarity) of the question's neighbours among ``doc_ids`` (FAQ, scope examples)."""
        wanted = set(doc_ids)
        return [(self._record_doc[rid], sim) for rid, sim in neighbours if self._record_doc[rid] in wanted]

    def records_of(self, doc_id: str) -> list[str]:
        """The ids of the snapshot's records of ``doc_id`` (e.g. a typical case's vector)."""
        return [record_id for record_id, owner in self._record_doc.items() if owner == doc_id]

    def _dense(
        self, vector: np.ndarray, doc_ids: list[str], neighbours: Neighbours
    ) -> dict[ArticleRef, float]:
        wanted = set(doc_ids)
        scores = self._best_per_article(neighbours, wanted)
        if len(scores) < self.weights.depth:  # too few among the unfiltered neighbours: ask Chroma to filter
            scores = self._best_per_article(self.store.query(vector, self.weights.depth * 2, doc_ids), wanted)
        return scores

    def _best_per_article(self, records: Neighbours, doc_ids: set[str]) -> dict[ArticleRef, float]:
        scores: dict[ArticleRef, float] = {}
        for record_id, similarity in records:
            ref = self._record_ref.get(record_id)  # records outside the snapshot are ignored
            if ref is not None and ref.doc_id in doc_ids and similarity > scores.get(ref, -1.0):
                scores[ref] = similarity
        return scores

    def _lexical(self, question: str, doc_ids: set[str]) -> dict[ArticleRef, float]:
        allowed = np.isin(self._ref_docs, list(doc_ids))
        return {self._refs[i]: s for i, s in self._bm25.scores(tokenize(question), allowed).items()}


def lexical_indexes(
    library: Library, refs: list[ArticleRef], models: Path | None
) -> tuple[BM25, PenaltyIndex]:
    """BM25 over the articles ``refs`` (with their law's titles, chapter and curated phrasings) and over the
    acts the liability articles punish; their statistics kept in ``models`` (None: computed here)."""
    articles = bm25_of([_lexical_text(library, ref) for ref in refs], models, "articles")
    return articles, PenaltyIndex(library, partial(_enforced_phrasings, library), models)


def _lexical_text(library: Library, ref: ArticleRef) -> str:
    article = library.articles[ref]
    doc = library.document(ref.doc_id)
    phrasings = phrasings_for(ref, library.catalog)
    return " ".join((doc.title, *doc.aliases, article.chapter, article.section, article.text, *phrasings))


def _enforced_phrasings(library: Library, item: PenaltyItem) -> str:
    """Everyday phrasings of the obligations a penalty item enforces (curated obligation → penalty links),
    when the item names a specific act: a catch-all clause (``违反本条例规定的``) enforcing many
    obligations gets none."""
    obligations = {
        link.obligation
        for link in penalty_links()
        if link.penalty == item.ref and link.penalty_phrase and link.penalty_phrase in item.text
    }
    if len(obligations) > MAX_OBLIGATIONS_PER_ACT:
        return ""
    # in a fixed order: the text is part of the key of the BM25 statistics kept beside the index
    return " ".join(p for ref in sorted(obligations) for p in phrasings_for(ref, library.catalog))

