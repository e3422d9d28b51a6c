"""统一社会信用代码 (unified social credit code) validation, GB 32100-2015."""

from __future__ import annotations

from bot.records.errors import RecordsError
from bot.records.messages import text

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 symbols: no I, O, Z, S, V
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i mod 31
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


class InvalidCreditCode(RecordsError):
    """A code that is not a valid 统一社会信用代码; ``str()`` is a Chinese message for the user."""


def check_digit(body: str) -> str:
    """The 18th character for the first 17 characters ``body`` (assumed in CHARSET)."""
    total = sum(CHARSET.index(char) * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalize_credit_code(raw: str) -> str:
    """Return the code upper-cased without spaces, or raise InvalidCreditCode saying what is wrong."""
    code = "".join(raw.translate(_FULLWIDTH).split()).upper()
    if not code:
        raise InvalidCreditCode(text("uscc.empty"))
    if len(code) != 18:
        raise InvalidCreditCode(text("uscc.length", length=len(code)))
    for position, char in enumerate(code, start=1):
        if char not in CHARSET:
            raise InvalidCreditCode(text("uscc.charset", position=position, char=char))
    if not code[2:8].isdigit():
        raise InvalidCreditCode(text("uscc.division"))
    expected = check_digit(code[:17])
    if code[17] != expected:
        raise InvalidCreditCode(text("uscc.check_digit", expected=expected))
    return code


def is_credit_code(raw: str) -> bool:
    """True when ``raw`` is a valid code (spaces and case ignored)."""
    try:
        normalize_credit_code(raw)
    except InvalidCreditCode:
        return False
    return True
