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


def _training_script():
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "scripts" / "train_ranker.py"
    spec = importlib.util.spec_from_file_location("train_ranker", path)
    assert spec is not None and spec.loader is not None
    module = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    return module


def test_listwise_fit_learns_which_candidate_wins_within_its_list() -> None:
    # Feature 0 marks the right candidate only relative to its list (its level shifts from list to list, so a
    # per-candidate fit reads it poorly); feature 1 is noise.
    rng = np.random.default_rng(0)
    lists = []
    for _ in range(200):
        rows = rng.normal(size=(6, 2))
        rows[:, 0] += rng.normal(scale=3.0)
        right = int(rng.integers(6))
        rows[right, 0] = rows[:, 0].max() + 0.5
        labels = np.zeros(6, dtype=np.int64)
        labels[right] = 1
        lists.append((rows, labels))
    weights = _training_script().fit_listwise(lists, regularisation=1.0)
    assert weights[0] > 1.0 and abs(weights[1]) < weights[0] / 4
    top_right = [labels[int(np.argmax(rows @ weights))] == 1 for rows, labels in lists]
    assert np.mean(top_right) == 1.0


def test_the_sure_margin_is_the_smallest_reaching_the_target() -> None:
    outcomes = [(True, 0.9), (True, 0.8), (False, 0.7), (True, 0.6), (False, 0.2), (False, 0.1)]
    margin, precision, confident = _training_script().sure_margin(outcomes, 0.75)
    assert margin == 0.6 and precision == 0.75 and confident == pytest.approx(4 / 6)
