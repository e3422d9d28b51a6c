"""Parallel provisions: a regulation restating, 款 by 款, a rule of the law above it (人类遗传资源管理条例 and
生物安全法) is found in the corpus itself, and an answer citing one cites the other when retrieval found it
too and the question is about the restated 款."""

from __future__ import annotations

import pytest

from knowledge.assistant import Assistant
from knowledge.models import ArticleRef, Hit
from knowledge.retrieval.parallels import ParallelProvisions

HGR = "hgr-regulation-2019"
BIO = "biosecurity-law-2024"


@pytest.fixture(scope="module")
def parallels(assistant: Assistant) -> ParallelProvisions:
    assert assistant.composer is not None
    return assistant.composer.parallels


def _parallel_refs(parallels: ParallelProvisions, doc_id: str, article: int) -> set[tuple[str, int]]:
    return {(p.ref.doc_id, p.ref.article) for p in parallels.of(ArticleRef(doc_id, article))}


@pytest.mark.parametrize(
    ("regulation", "law"),
    [
        (7, 56),  # foreign parties may not collect or store (a 款 of 第56条)
        (27, 56),  # export of materials (an item of 第56条, read with its lead)
        (28, 57),  # information provided abroad
        (36, 79),  # penalty: collecting, storing, cooperating without approval
        (41, 80),  # penalty: foreign parties collecting, storing, providing abroad
    ],
)
def test_restated_rules_are_paired(parallels: ParallelProvisions, regulation: int, law: int) -> None:
    assert (BIO, law) in _parallel_refs(parallels, HGR, regulation)
    assert (HGR, regulation) in _parallel_refs(parallels, BIO, law)


def test_pairs_need_the_same_act_and_different_levels(parallels: ParallelProvisions) -> None:
    assert (BIO, 80) not in _parallel_refs(parallels, HGR, 36), "a foreign party's act is another act"
    assert (BIO, 56) not in _parallel_refs(parallels, HGR, 36), "a penalty does not restate a duty"
    # Two laws of one level share formulae (委托, 听证费用), not rules.
    assert not any(
        p.ref.doc_id == "admin-license-law"
        for ref in (ArticleRef("admin-penalty-law", n) for n in range(1, 87))
        for p in parallels.of(ref)
    )


def test_only_the_restated_part_the_question_is_about(parallels: ParallelProvisions) -> None:
    """第56条 restates several articles of the regulation; a question about one of its 项 reaches only that."""
    restated = parallels.restated("把人类遗传资源材料寄到境外需要批准吗", ArticleRef(BIO, 56), 0.8)
    refs = {(p.ref.doc_id, p.ref.article) for p in restated}
    assert (HGR, 7) not in refs


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("外国机构自己在中国招人抽血保存起来，法律允许吗", {(HGR, 7), (BIO, 56)}),
        ("外资企业偷偷在国内收集人的DNA样本，怎么罚", {(HGR, 41), (BIO, 80)}),
    ],
)
def test_answer_cites_the_law_restating_the_regulation(
    assistant: Assistant, question: str, expected: set[tuple[str, int]]
) -> None:
    cited = {(r.doc_id, r.article) for r in assistant.ask(question).citations}
    assert expected <= cited


class TestParallelFoundFurtherDown:
    """The restating article is cited when retrieval found it among its first twenty hits, not only the
    first ten (the restatement's wording is a law's, not the question's)."""

    @pytest.mark.parametrize("rank", [3, 11, 19])
    @pytest.mark.parametrize(
        "question", ["外国机构自己在中国招人抽血保存起来，法律允许吗", "外资公司能在国内设点采集血样建库吗"]
    )
    def test_cited_within_the_hits(self, assistant: Assistant, question: str, rank: int) -> None:
        assert assistant.composer is not None
        hits = _hits_with(ArticleRef(BIO, 56), rank)
        refs = assistant.composer._with_parallels(question, [ArticleRef(HGR, 7)], hits)
        assert refs == [ArticleRef(HGR, 7), ArticleRef(BIO, 56)]

    @pytest.mark.parametrize("question", ["外国机构自己在中国招人抽血保存起来，法律允许吗"])
    def test_not_when_retrieval_did_not_find_it(self, assistant: Assistant, question: str) -> None:
        assert assistant.composer is not None
        refs = assistant.composer._with_parallels(question, [ArticleRef(HGR, 7)], _hits_with(None, 0))
        assert refs == [ArticleRef(HGR, 7)]


def _hits_with(ref: ArticleRef | None, rank: int) -> list[Hit]:
    """Twenty hits of the laboratory animal regulation, with ``ref`` at ``rank`` (1-based)."""
    refs = [ArticleRef("lab-animal-regulation", n) for n in range(1, 21)]
    if ref is not None:
        refs[rank - 1] = ref
    return [Hit(r, 0.05 - i * 0.001, "") for i, r in enumerate(refs)]
