"""The learned ranker: shipped, loaded without fitting, reorders the fused candidates with a share of belief
each; when its margin is low the answer takes the unsure form and says so (``confident: false``)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from knowledge.assistant import Assistant
from knowledge.models import Article, Paragraph
from knowledge.retrieval.ranker import FEATURES, article_kinds, question_kinds, shares, shipped_ranker


def test_the_shipped_model_matches_the_features() -> None:
    model = shipped_ranker()
    assert model is not None and model.features == FEATURES
    assert 0 < model.sure_margin < 1
    assert "bank" in model.provenance


def test_shares_sum_to_one() -> None:
    share = shares(np.array([2.0, 1.0, -1.0]))
    assert share.sum() == pytest.approx(1.0) and share[0] > share[1] > share[2]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("没审批就出境会怎么处罚？", "consequence"),
        ("申请许可证多长时间能办下来", "deadline"),
        ("实验动物能不能混养", "permission"),
        ("听证程序怎么走", "procedure"),
    ],
)
def test_question_kinds(question: str, kind: str) -> None:
    assert kind in question_kinds(question)


def test_article_kinds() -> None:
    article = Article("x", 1, "第一条", (Paragraph("从事实验的单位应当在十五日内备案，不得擅自出售。"),))
    assert {"duty", "prohibition", "deadline", "approval"} <= article_kinds(article)


def test_ranked_hits_carry_shares(assistant: Assistant) -> None:
    hits = assistant.search("实验动物的饲料和垫料有什么要求", 10)
    assert hits[0].share > 0
    assert sum(h.share for h in hits) <= 1.0 + 1e-6


def test_low_margin_takes_the_unsure_form(assistant: Assistant) -> None:
    composer = assistant.composer
    assert composer is not None and composer.retriever.ranker is not None
    ranker = composer.retriever.ranker
    try:  # every margin is below 1.01: the answer must name the provisions that may apply
        composer.retriever.ranker = dataclasses.replace(ranker, sure_margin=1.01)
        answer = composer.answer("野生动物人工繁育需要什么条件")
    finally:
        composer.retriever.ranker = ranker
    assert not answer.confident
    assert answer.conclusion.count("如果是") >= 2 and "适用" in answer.conclusion
    assert 2 <= len(answer.basis) <= 3


def test_a_clear_question_is_answered_confidently(assistant: Assistant) -> None:
    answer = assistant.ask("生物安全法第五十六条")
    assert answer.confident
