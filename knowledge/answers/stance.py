"""A yes/no question gets yes/no first: what the question asks (may I / must I), read against the rule
sentence that answers it (prohibits, requires, allows, or allows on a condition)."""

from __future__ import annotations

import re
from typing import Literal

Stance = Literal["yes", "no", "conditional"]
Modality = Literal["permission", "obligation", "existence"]

_YES_NO = re.compile(
    r"吗[？?。！!]*$|吗[，,]|能不能|可不可以|行不行|要不要|需不需要|用不用|是不是|是否|可否|能否|有没有必要"
    r"|有没有|管不管|(?i:^(can|may|must|do|does|is|are|should)\b)"
)
_PERMISSION = re.compile(
    r"能不能|可不可以|可以|能否|可否|^能|能[^够]|行不行|行吗|允许|合法|(?i:\b(can|may|is it ok|allowed)\b)"
)
_OBLIGATION = re.compile(
    r"要不要|需不需要|需要|用不用|必须|得|应当|应该|要|(?i:\b(must|need|have to|required)\b)"
)
# The question asks to do without what the rule requires (skip, go straight ahead, leave out).
_WITHOUT = re.compile(
    r"省|不用|不做|不经|未经|不办|不报|免|跳过|直接|先|还没|没附|没有?(经|办|报|做|取得|考核|培训)|混|一起|凑合"
    r"|(?i:without|skip)"
)
# Whether there is a rule at all (有没有要求, 有规定吗, 管不管).
_EXISTENCE = re.compile(
    r"有没有.{0,6}(要求|规定|限制|标准)|有(什么|啥)?(规定|要求)(吗|管)|有规定管|管不管|管吗"
)

_PROHIBITS = re.compile(r"不得|禁止|严禁|不准|不能")
_CONDITION = re.compile(r"经.{0,30}(批准|同意|许可|审批|备案)|符合.{0,30}条件|取得.{0,20}(证|许可|证明)")
_REQUIRES = re.compile(r"应当|必须|须|应|要")
_EXEMPTS = re.compile(r"不需要|无需|不视为|不适用|不属于")
_ALLOWS = re.compile(r"可以")


def is_yes_no(question: str) -> bool:
    return bool(_YES_NO.search(question.strip()))


def modality(question: str) -> Modality | None:
    if _EXISTENCE.search(question):
        return "existence"
    if _PERMISSION.search(question):
        return "permission"
    if _OBLIGATION.search(question):
        return "obligation"
    return None


def stance(question: str, rule: str) -> tuple[Stance, Modality] | None:
    """The answer a yes/no ``question`` gets from the ``rule`` sentence, or None when it cannot be told."""
    if not is_yes_no(question):
        return None
    asked = modality(question)
    without = bool(_WITHOUT.search(question))
    if asked is None:
        return None
    if asked == "existence":
        return ("yes", asked) if _PROHIBITS.search(rule) or _REQUIRES.search(rule) else None
    if _EXEMPTS.search(rule):
        return ("no", asked) if asked == "obligation" else ("yes", asked)
    if _PROHIBITS.search(rule):
        return ("no", asked) if asked == "permission" else None
    if _CONDITION.search(rule):
        if asked == "obligation":
            return ("yes", asked)
        return ("no", asked) if without else ("conditional", asked)
    if _REQUIRES.search(rule):
        if asked == "obligation":
            return ("yes", asked)
        return ("no", asked) if without else None
    if _ALLOWS.search(rule) and asked == "permission":
        return ("yes", asked)
    return None


# The question's own verb, echoed by the answer: 能不能 → 能/不能, 要不要 → 要/不要.
_ASKS_CAN = re.compile(r"能不能|能否|^能(?!够)|(?<![功性可智])能(?![够力源])[^，。？?]{0,12}吗")
_ASKS_MUST = re.compile(r"要不要|(?<![需还])要[^求]{0,20}吗")
_ECHOES = (
    (_ASKS_CAN, {"可以。": "能。", "不可以。": "不能。"}),
    (_ASKS_MUST, {"需要。": "要。", "不需要。": "不要。"}),
)


def in_question_words(question: str, opening: str) -> str:
    """``opening`` (``可以。``, ``不需要。``…) in the verb the question asked with."""
    for asks, words in _ECHOES:
        if asks.search(question):
            return words.get(opening, opening)
    return opening


_OPENINGS = (
    ("not_regulated", re.compile(r"^(法规|本知识库所收法规|现行法规)?未(作)?(明确)?规定")),
    ("conditional", re.compile(r"^(符合|满足|经|依法|取得|在).{0,40}(的|后)，?(可以|才能|方可)|^有条件")),
    ("no", re.compile(r"^(不|否|无需|没有|禁止|严禁)")),
    ("yes", re.compile(r"^(要|需要|可以|能|是|应当|必须|有|会|属于|适用|管)")),
)


def opening_stance(conclusion: str) -> str:
    """The yes/no stance a conclusion opens with (``yes``, ``no``, ``conditional``, ``not_regulated``; ``""``
    when it opens with none)."""
    head = conclusion.strip()
    return next((name for name, pattern in _OPENINGS if pattern.search(head)), "")
