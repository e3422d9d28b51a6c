"""Chinese numerals (as law texts write article numbers) to and from integers, up to 9999.

Parsing is strict: a numeral is read completely or refused (``二十万``, ``1e1``, ``二十二十`` raise), so a
number we cannot read is never taken for a smaller one.
"""

from __future__ import annotations

import re

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS = {"十": 10, "百": 100, "千": 1000}
TENS = str.maketrans({"廿": "二十", "卅": "三十", "卌": "四十"})  # 廿六 = 二十六
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS) + "廿卅卌"
# Characters that continue a number although we cannot read them (larger units, decimals, exponents,
# Latin letters): a number touching one of them is not a whole article number.
NUMBER_LIKE_CHARS = NUMERAL_CHARS + "万萬亿億兆0-9０-９.．A-Za-zＡ-Ｚａ-ｚ"
MAX_NUMBER = 9999
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def to_int(text: str) -> int:
    """Parse ``二十二``, ``一百零五``, ``十``, ``一千零一``, ``卅六`` or ASCII/full-width digits (1..9999).

    Raises ValueError for anything else, including numerals out of range or written in no standard way.
    """
    text = text.strip().translate(_FULLWIDTH).translate(TENS)
    if not text:
        raise ValueError("empty numeral")
    value = int(text) if _ASCII_DIGITS.fullmatch(text) else _chinese(text)
    if not 0 < value <= MAX_NUMBER:
        raise ValueError(f"numeral out of range 1..{MAX_NUMBER}: {text!r}")
    return value


def _chinese(text: str) -> int:
    """Digits each followed by a smaller unit than the one before; 零 only where a unit is skipped."""
    total, digit, zero = 0, None, False
    last_unit = MAX_NUMBER + 1
    for char in text:
        if char in DIGITS and DIGITS[char] == 0:
            if digit is not None or zero or total == 0:  # 零 after a digit, twice, or first
                raise ValueError(f"not a Chinese numeral: {text!r}")
            zero = True
        elif char in DIGITS:
            if digit is not None:
                raise ValueError(f"not a Chinese numeral: {text!r}")
            digit = DIGITS[char]
        elif char in UNITS:
            unit = UNITS[char]
            bare = digit is None and (zero or (total and unit != 10))  # 一百十二, but not 一千百
            if unit >= last_unit or bare or (zero and unit * 10 >= last_unit):
                raise ValueError(f"not a Chinese numeral: {text!r}")
            total += (1 if digit is None else digit) * unit
            last_unit, digit, zero = unit, None, False
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    if zero and digit is None:
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if digit is not None and total and not zero and last_unit > 10:  # 一百二: 102 or 120?
        raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + (digit or 0)


def to_chinese(number: int) -> str:
    """Write ``number`` (1..9999) the way article labels do: 22 → 二十二, 105 → 一百零五."""
    if not 0 < number <= MAX_NUMBER:
        raise ValueError(f"out of range: {number}")
    names = "零一二三四五六七八九"
    parts: list[str] = []
    zero_pending = False
    for unit_value, unit_name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit_value % 10
        if digit == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        parts.append(names[digit] + unit_name)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text
