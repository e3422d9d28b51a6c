"""Chinese numerals (as law texts write article numbers) to and from integers, up to 9999."""

from __future__ import annotations

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
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def to_int(text: str) -> int:
    """Parse ``二十二``, ``一百零五``, ``十``, ``一千零一``, ``卅六`` or ASCII/full-width digits.

    Raises ValueError for anything else.
    """
    text = text.strip().translate(_FULLWIDTH).translate(TENS)
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for char in text:
        if char in DIGITS:
            if digit is not None and digit != 0:
                raise ValueError(f"not a Chinese numeral: {text!r}")
            digit = DIGITS[char]
        elif char in UNITS:
            unit = UNITS[char]
            total += (1 if digit is None else digit) * unit
            digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + (digit or 0)


def to_chinese(number: int) -> str:
    """Write ``number`` (1..9999) the way article labels do: 22 → 二十二, 105 → 一百零五."""
    if not 0 < number < 10000:
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
