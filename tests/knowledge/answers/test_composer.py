"""Which articles an answer cites as its basis: a second article only when both retrievers rank it nearly as
high as the first, a FAQ entry's further articles only when retrieval found them too, the law a question
names, and both versions of an article when a question compares them."""

from __future__ import annotations

import dataclasses

import pytest

from knowledge.answers.composer import AnswerComposer
from knowledge.assistant import Assistant
from knowledge.law.curated import FaqEntry
from knowledge.models import ArticleRef, Hit

LAB = "lab-animal-regulation"
OLD, NEW = "biosecurity-law-2020", "biosecurity-law-2024"


def _composer(assistant: Assistant) -> AnswerComposer:
    assert assistant.composer is not None
    return assistant.composer


def _hit(article: int, dense: float, lexical: float) -> Hit:
    return Hit(ArticleRef(LAB, article), 0.05, "", dense, lexical)


class TestSecondBasis:
    @pytest.mark.parametrize(("dense", "lexical"), [(0.93, 30.0), (0.925, 20.0), (0.94, 16.0)])
    def test_cited_when_both_retrievers_rank_it_close(
        self, assistant: Assistant, dense: float, lexical: float
    ) -> None:
        hits = [_hit(9, 0.935, 30.0), _hit(11, dense, lexical)]
        assert _composer(assistant)._basis_refs(hits) == [ArticleRef(LAB, 9), ArticleRef(LAB, 11)]

    @pytest.mark.parametrize(
        ("dense", "lexical"), [(0.90, 30.0), (0.93, 10.0), (0.91, 14.0)], ids=["far", "few words", "both"]
    )
    def test_left_out_when_either_does_not(self, assistant: Assistant, dense: float, lexical: float) -> None:
        hits = [_hit(9, 0.935, 30.0), _hit(11, dense, lexical)]
        assert _composer(assistant)._basis_refs(hits) == [ArticleRef(LAB, 9)]

    @pytest.mark.parametrize("dense", [0.935, 0.93, 0.925])
    def test_left_out_when_no_word_is_shared(self, assistant: Assistant, dense: float) -> None:
        """A question sharing no word with the articles (asked in English, say): BM25 has no view, so it
        cannot agree; the dense retriever's best article stands alone."""
        hits = [_hit(9, 0.935, 0.0), _hit(11, dense, 0.0), _hit(16, dense, 0.0)]
        assert _composer(assistant)._basis_refs(hits) == [ArticleRef(LAB, 9)]

    @pytest.mark.parametrize(("share", "cited"), [(0.02, [9]), (0.3, [9, 11])], ids=["doubted", "believed"])
    def test_once_ranked_the_second_needs_a_share_of_the_rankers_belief(
        self, assistant: Assistant, share: float, cited: list[int]
    ) -> None:
        """Both retrievers rank it close, but the learned ranker gives it almost no chance: left out."""
        hits = [_ranked(_hit(9, 0.935, 30.0), 0.6), _ranked(_hit(11, 0.93, 30.0), share)]
        assert _composer(assistant)._basis_refs(hits) == [ArticleRef(LAB, n) for n in cited]


def _ranked(hit: Hit, share: float) -> Hit:
    return dataclasses.replace(hit, share=share)


class TestFaqFurtherArticles:
    ENTRY = FaqEntry(
        "x", "lab_animals", ("问",), "结论", (), "", tuple(ArticleRef(LAB, n) for n in (9, 11, 16, 9))
    )

    @pytest.mark.parametrize(
        ("ranked", "cited"),
        [
            ([9, 11, 16], [9, 11, 16]),
            ([11, 9, 2], [11, 9]),
            ([16, 2, 3, 11], [16, 9]),
            ([2, 3, 4], [9]),
            ([2, 11, 9], [9, 11]),
        ],
    )
    def test_the_first_always_the_others_when_retrieved_near_the_top(
        self, assistant: Assistant, ranked: list[int], cited: list[int]
    ) -> None:
        """Led by the ranker's top hit when it is one of the entry's articles, else by the entry's first."""
        composer = _composer(assistant)
        assert composer.tuning.faq_support_depth == 3
        hits = [_hit(n, 0.9, 10.0) for n in ranked]
        assert composer._faq_refs(self.ENTRY, hits) == [ArticleRef(LAB, n) for n in cited]


class TestFaqAgainstTheBestArticle:
    """A FAQ entry retrieval agrees with is used unless its question is clearly farther from the user's
    question than the best article is."""

    ENTRY = TestFaqFurtherArticles.ENTRY

    @pytest.mark.parametrize(("faq", "article"), [(0.93, 0.93), (0.93, 0.94), (0.92, 0.9349), (0.95, 0.91)])
    def test_used_when_nearly_as_close(self, assistant: Assistant, faq: float, article: float) -> None:
        hits = [_hit(9, article, 20.0)]
        assert _composer(assistant)._choose_faq([(self.ENTRY, faq)], hits, 1) is self.ENTRY

    @pytest.mark.parametrize(("faq", "article"), [(0.92, 0.94), (0.915, 0.95), (0.93, 0.96)])
    def test_left_out_when_clearly_farther(self, assistant: Assistant, faq: float, article: float) -> None:
        hits = [_hit(9, article, 20.0)]
        assert _composer(assistant)._choose_faq([(self.ENTRY, faq)], hits, 1) is None


class TestNamedLaw:
    @pytest.mark.parametrize(
        ("question", "title"),
        [
            ("按生物安全法，采集我国人类遗传资源要谁批准？", "中华人民共和国生物安全法"),
            ("生物安全法里对向境外提供人类遗传资源信息有什么规定", "中华人民共和国生物安全法"),
            (
                "病原微生物实验室生物安全管理条例对运输高致病性菌种有什么要求",
                "病原微生物实验室生物安全管理条例",
            ),
            ("人类遗传资源管理条例里保藏单位每年要报什么", "中华人民共和国人类遗传资源管理条例"),
        ],
    )
    def test_answered_from_that_law(self, assistant: Assistant, question: str, title: str) -> None:
        answer = assistant.ask(question)
        assert answer.basis
        assert {assistant.library.document(q.ref.doc_id).title for q in answer.basis} == {title}


class TestComparingVersions:
    @pytest.mark.parametrize(
        "question",
        [
            "生物安全法第八十条2024年修改后罚款数额变没变",
            "生物安全法修正以后，第五十七条有没有变",
            "生物安全法修改后，境外组织违法采集我国人类遗传资源的罚款有没有变",
        ],
    )
    def test_both_versions_are_cited(self, assistant: Assistant, question: str) -> None:
        cited = {(r.doc_id, r.article) for r in assistant.ask(question).citations}
        numbers = {article for doc_id, article in cited if doc_id == NEW}
        assert numbers and all((OLD, n) in cited for n in numbers)

    @pytest.mark.parametrize(
        "question",
        ["生物安全法第八十条", "生物安全法第五十七条规定了什么", "现在向境外提供人类遗传资源信息要向谁报告"],
    )
    def test_one_version_otherwise(self, assistant: Assistant, question: str) -> None:
        assert all(r.doc_id != OLD for r in assistant.ask(question).citations)
