"""Scope evidence: how a question's closeness to the corpus and to outside requests decides the remit."""

from __future__ import annotations

import pytest

from knowledge.retrieval.scope import ScopeEvidence, ScopeThresholds

THRESHOLDS = ScopeThresholds()
# A foreign question's dense match, this much closer to the corpus than to an outside example: more than a
# Chinese question needs, less than a foreign one needs on dense evidence alone.
NARROW = (THRESHOLDS.margin + THRESHOLDS.foreign_margin) / 2


@pytest.mark.parametrize(
    ("lexical", "in_scope"),
    [(THRESHOLDS.weak_lexical * 3, True), (THRESHOLDS.weak_lexical, True), (THRESHOLDS.weak_lexical / 2, False)],
)
def test_a_foreign_question_whose_terms_the_corpus_knows_needs_only_the_chinese_margin(
    lexical: float, in_scope: bool
) -> None:
    evidence = ScopeEvidence(corpus_similarity=0.85, outside_similarity=0.85 - NARROW, lexical=lexical)
    assert evidence.in_scope(THRESHOLDS, foreign=True) is in_scope


def test_an_outside_example_closer_than_the_corpus_declines_whatever_the_terms() -> None:
    evidence = ScopeEvidence(corpus_similarity=0.84, outside_similarity=0.85, lexical=THRESHOLDS.weak_lexical * 5)
    assert not evidence.in_scope(THRESHOLDS, foreign=True)
    assert not evidence.in_scope(THRESHOLDS, foreign=False)


def test_a_question_the_classifier_leans_to_place_outside_needs_a_clearer_corpus_margin() -> None:
    """Between the usual margin and the leaning margin, the request classifier's lean decides."""
    gap = (THRESHOLDS.margin + THRESHOLDS.leaning_margin) / 2
    evidence = ScopeEvidence(corpus_similarity=0.91, outside_similarity=0.91 - gap, lexical=20.0)
    assert evidence.in_scope(THRESHOLDS)
    assert not evidence.in_scope(THRESHOLDS, leaning=True)
    clear = ScopeEvidence(0.91, 0.91 - THRESHOLDS.leaning_margin * 2, 20.0)
    assert clear.in_scope(THRESHOLDS, leaning=True)
