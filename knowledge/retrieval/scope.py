"""Is a question within pufa's remit? Decided from retrieval evidence, not from a keyword list.

Evidence: how close the question comes to an article or a curated FAQ question (dense similarity), how
many of its terms the corpus knows (BM25), and how close it comes to curated examples of requests outside
the remit (translation, lawsuits, taxes, chit-chat, attempts to extract instructions).
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.models import Hit


@dataclass(frozen=True)
class ScopeThresholds:
    """Calibrated on the dev set as a whole (see ``pufa eval --answers``)."""

    margin: float = 0.01  # decline when an out-of-scope example comes within this of the best corpus match
    weak_dense: float = 0.90  # a corpus match below this similarity …
    weak_lexical: float = 9.0  # … with less BM25 weight than this is no evidence of a question for pufa
    # A question in English matches the Chinese texts less closely (every dense similarity crowds into a narrow
    # band, in scope or not):
    foreign_margin: float = 0.02  # it must come this much closer to the corpus than to any outside example
    weak_dense_foreign: float = 0.80
    # … unless its terms, carried into the corpus's Chinese terms, find an article (BM25 weight at least
    # weak_lexical): then the margin of a Chinese question will do. Outside requests in English (visas,
    # chit-chat) find few or none of the corpus's terms.
    # A corpus match this close overrules the request classifier's verdict that the topic is outside the remit
    # (its character n-grams can be swayed by one word: 装修, 总部).
    certain_dense: float = 0.93
    # A question the request classifier leans to place outside the remit (``RequestTuning.off_topic_lean``) but
    # not surely: it must come this much closer to the corpus than to any outside example.
    leaning_margin: float = 0.02


@dataclass(frozen=True)
class ScopeEvidence:
    corpus_similarity: float  # best of: top article (or its curated phrasings), best FAQ question
    outside_similarity: float  # best out-of-scope example
    lexical: float  # BM25 score of the top lexical article

    def in_scope(
        self, thresholds: ScopeThresholds = ScopeThresholds(), foreign: bool = False, leaning: bool = False
    ) -> bool:
        """``leaning``: the request classifier leans to place the question outside the remit."""
        dense_only = foreign and self.lexical < thresholds.weak_lexical
        margin = thresholds.foreign_margin if dense_only else thresholds.margin
        margin = max(margin, thresholds.leaning_margin) if leaning else margin
        if self.outside_similarity > self.corpus_similarity - margin:
            return False
        weak_dense = thresholds.weak_dense_foreign if foreign else thresholds.weak_dense
        return self.corpus_similarity >= weak_dense or self.lexical >= thresholds.weak_lexical

    def certain(self, thresholds: ScopeThresholds = ScopeThresholds()) -> bool:
        """The question is so close to an article or FAQ question that its topic is surely in the remit."""
        return self.corpus_similarity >= thresholds.certain_dense


def gather(hits: list[Hit], faq_similarity: float, outside_similarity: float) -> ScopeEvidence:
    dense = max((hit.dense for hit in hits), default=0.0)
    lexical = max((hit.lexical for hit in hits), default=0.0)
    return ScopeEvidence(max(dense, faq_similarity), outside_similarity, lexical)
