"""Conclusions are whole sentences that answer the question: a list's lead is never cut mid-list, a long
sentence ends at a whole clause, and the yes/no opening uses the question's own verb (能 → 能/不能,
要不要 → 要/不要). A document we do not hold is named as such, with the nearest provision we hold."""

from __future__ import annotations

import pytest

from knowledge.answers.composer import _shortened
from knowledge.answers.stance import in_question_words
from knowledge.assistant import Assistant


def test_a_list_lead_is_not_cut_mid_list() -> None:
    sentence = "申请者应当具备下列条件：（一）有固定的场所；（二）有相应的人员；"
    shortened = _shortened(sentence)
    assert shortened.startswith("申请者应当具备下列条件") and "（一）" not in shortened
    assert shortened.endswith("。")


def test_a_long_sentence_ends_at_a_whole_clause() -> None:
    clauses = [f"第{i}项要求应当满足相应的技术规范和管理制度" for i in range(12)]
    shortened = _shortened("，".join(clauses) + "。")
    assert shortened.endswith("。") and "……" not in shortened
    kept = shortened.split("等（")[0]
    assert all(part in clauses for part in kept.split("，"))


@pytest.mark.parametrize(
    ("question", "opening", "expected"),
    [
        ("实验动物能不能混养？", "不可以。", "不能。"),
        ("这批样本能出境吗", "可以。", "能。"),
        ("出境前要不要审批？", "需要。", "要。"),
        ("运输实验动物要检疫吗", "不需要。", "不要。"),
        ("出境需要审批吗", "需要。", "需要。"),
        ("可以混养吗", "不可以。", "不可以。"),
    ],
)
def test_the_opening_uses_the_question_verb(question: str, opening: str, expected: str) -> None:
    assert in_question_words(question, opening) == expected


def test_a_document_not_held_gets_the_nearest_provision(assistant: Assistant) -> None:
    answer = assistant.ask("实验动物许可证管理办法对许可证的有效期是怎么规定的？")
    assert "尚未收入本知识库" in answer.conclusion
    assert answer.basis, "the nearest provision we hold is quoted"
    assert "最相关的规定" in answer.conclusion
