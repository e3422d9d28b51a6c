"""Strict article numbers: read completely or refused with 无法识别的条文序号, never taken for a smaller one."""

from __future__ import annotations

import pytest

from knowledge.assistant import Assistant
from knowledge.law.numerals import to_chinese, to_int
from knowledge.templates import text

UNREADABLE = text("knowledge", "cite_bad_number", where="", hint="").split("：")[0]  # 无法识别的条文序号


@pytest.mark.parametrize(
    "bad",
    [
        "二十万",
        "二十亿零五",
        "1e1",
        "二十二十",
        "十十",
        "零五",
        "一百二",
        "一千百",
        "一百零",
        "0",
        "10000",
        "十万",
    ],
)
def test_numerals_not_read_completely_raise(bad: str) -> None:
    with pytest.raises(ValueError):
        to_int(bad)


def test_every_article_number_round_trips() -> None:
    assert all(to_int(to_chinese(number)) == number for number in range(1, 10000))


@pytest.mark.parametrize("number", ["第二十万条", "第二十亿零五条", "第1e1条", "第二十二十条", "第十万条"])
@pytest.mark.parametrize("law", ["人遗条例", "实验动物管理条例", ""])
def test_unreadable_article_number_quotes_nothing(assistant: Assistant, law: str, number: str) -> None:
    result = assistant.cite(law + number)
    assert not result.found
    assert result.message.startswith(f"{UNREADABLE}：{number}")
    answer = assistant.ask(f"{law}{number}是怎么规定的")
    assert answer.declined and not answer.citations
    assert answer.conclusion.startswith(f"{UNREADABLE}：{number}")


@pytest.mark.parametrize(
    "reference", ["人遗条例第二十二条", "人遗条例第22条", "人遗条例第廿二条", "人遗条例第卅六条"]
)
def test_legal_forms_keep_working(assistant: Assistant, reference: str) -> None:
    result = assistant.cite(reference)
    assert result.found, result.message
    assert result.quotes[0].ref.article in (22, 36)


def test_a_good_number_beside_an_unreadable_one_is_refused_too(assistant: Assistant) -> None:
    result = assistant.cite("人遗条例第二十二条和第二十万条")
    assert not result.found and UNREADABLE in result.message


def test_a_number_in_a_question_that_names_no_article_is_no_article(assistant: Assistant) -> None:
    answer = assistant.ask("罚款二十万元以上的违法行为有哪些")
    assert UNREADABLE not in answer.conclusion
