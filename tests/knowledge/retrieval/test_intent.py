"""What a question asks for (a time limit, the deciding authority, a definition) and the articles worded as
an answer to it: retrieval prefers those among close candidates."""

from __future__ import annotations

import dataclasses

import pytest

from knowledge.assistant import Assistant
from knowledge.models import Article, Paragraph
from knowledge.retrieval.intent import answered_by, intents_of


def _article(text: str) -> Article:
    return Article("doc", 1, "第一条", (Paragraph(text),))


class TestQuestionIntent:
    @pytest.mark.parametrize(
        "question",
        [
            "三级实验室的认可证书有效期多久",
            "实验档案要保存多少年",
            "材料不全，几天内要告诉申请人",
            "审批一般多长时间能下来",
        ],
    )
    def test_a_time_limit(self, question: str) -> None:
        assert "deadline" in intents_of(question)

    @pytest.mark.parametrize(
        "question",
        ["新建三级实验室找谁批", "人类遗传资源归哪个部门管", "丢了菌种要向谁报告", "这种许可由谁来审批"],
    )
    def test_the_deciding_authority(self, question: str) -> None:
        assert "authority" in intents_of(question)

    @pytest.mark.parametrize(
        "question", ["什么是实验动物", "实验动物分几个等级", "体检抽的血算不算人类遗传资源", "法律上怎么定义"]
    )
    def test_a_definition(self, question: str) -> None:
        assert "definition" in intents_of(question)

    @pytest.mark.parametrize(
        "question", ["动物房能不能和实验室挨着", "垫料有什么要求", "没批准就出境会被怎么罚"]
    )
    def test_other_questions_ask_none_of_these(self, question: str) -> None:
        assert intents_of(question) == frozenset()


class TestArticleAnswers:
    @pytest.mark.parametrize(
        ("text", "intent"),
        [
            ("行政机关应当自受理申请之日起二十日内作出决定。", "deadline"),
            ("实验室认可证书有效期为五年。", "deadline"),
            ("由国务院科学技术行政部门批准。", "authority"),
            ("县级以上地方人民政府负责本行政区域内的管理工作。", "authority"),
            ("本条例所称实验动物，是指经人工饲育的动物。", "definition"),
            ("实验动物分为四级。", "definition"),
        ],
    )
    def test_its_wording_answers_that_kind(self, text: str, intent: str) -> None:
        assert intent in answered_by(_article(text))

    def test_a_plain_rule_answers_none(self) -> None:
        assert answered_by(_article("饲育室、实验室应当设在不同区域，并进行严格隔离。")) == frozenset()


class TestIntentInRetrieval:
    @pytest.mark.parametrize(
        "question", ["实验室认可证书有效期多久", "样本库审批一般多久能下来", "许可申请受理后几天内要作出决定"]
    )
    def test_articles_answering_the_kind_asked_gain_the_intent_weight(
        self, assistant: Assistant, question: str
    ) -> None:
        retriever = assistant.retriever
        assert retriever is not None
        weights, ranker = retriever.weights, retriever.ranker
        retriever.ranker = None  # the fused scores, before the learned ranker orders the candidates
        try:
            with_intent = {h.ref: h.score for h in retriever.search(question, 30)}
            retriever.weights = dataclasses.replace(weights, intent=0.0)
            without = {h.ref: h.score for h in retriever.search(question, 30)}
        finally:
            retriever.weights, retriever.ranker = weights, ranker
        raised = {ref for ref in with_intent.keys() & without.keys() if with_intent[ref] > without[ref]}
        assert raised, "some article states a time limit"
        for ref in raised:
            assert "deadline" in answered_by(assistant.library.articles[ref])
            assert with_intent[ref] - without[ref] == pytest.approx(weights.intent)
