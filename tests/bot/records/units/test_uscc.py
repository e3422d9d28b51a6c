"""统一社会信用代码 validation (GB 32100-2015 check digit)."""

from __future__ import annotations

import pytest

from bot.records.units.uscc import (
    CHARSET,
    InvalidCreditCode,
    check_digit,
    is_credit_code,
    normalize_credit_code,
)

KNOWN_VALID = "91350100M000100Y43"  # the example code of GB 32100-2015 materials


def test_known_code_is_valid() -> None:
    assert normalize_credit_code(KNOWN_VALID) == KNOWN_VALID
    assert check_digit(KNOWN_VALID[:17]) == "3"


def test_spaces_case_and_full_width_are_normalized() -> None:
    assert normalize_credit_code(" 9135 0100 m000 100y43 ") == KNOWN_VALID
    assert normalize_credit_code("９１３５０１００Ｍ０００１００Ｙ４３") == KNOWN_VALID


@pytest.mark.parametrize(
    "body", ["91110108000000001", "12100000400012345", "5211010800000000X", "Y1110108MA0000000"]
)
def test_computed_check_digit_validates(body: str) -> None:
    code = body + check_digit(body)
    assert is_credit_code(code)
    wrong = next(c for c in CHARSET if c != code[-1])
    assert not is_credit_code(code[:-1] + wrong)


def test_every_single_character_change_is_caught() -> None:
    for position in range(17):
        for char in CHARSET:
            if char != KNOWN_VALID[position]:
                altered = KNOWN_VALID[:position] + char + KNOWN_VALID[position + 1 :]
                if altered[2:8].isdigit():
                    assert not is_credit_code(altered), altered


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "请填写"),
        ("91350100M000100Y4", "应为 18 位，您输入的是 17 位"),
        ("91350100M000100Y433", "19 位"),
        ("91350100M0001O0Y43", "第 14 位“O”不是合法字符"),
        ("91350100I000100Y43", "第 9 位“I”"),
        ("9135A100M000100Y43", "行政区划代码"),
        ("91350100M000100Y44", "校验位不正确（第 18 位应为“3”）"),
    ],
)
def test_bad_codes_get_a_chinese_reason(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidCreditCode) as caught:
        normalize_credit_code(raw)
    assert fragment in str(caught.value)
