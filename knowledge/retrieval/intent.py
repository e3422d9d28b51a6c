"""What a question asks for — a time limit, the deciding authority, a definition — read from its wording,
and whether an article states that kind of thing. Retrieval prefers, among close candidates, the articles
that answer the kind of question asked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.models import Article

_NUMBER = r"[一二三四五六七八九十百千两\d]+"


@dataclass(frozen=True)
class Intent:
    """A kind of question (``asks``) and the wording of an article that answers it (``answers``)."""

    name: str
    asks: re.Pattern[str]
    answers: re.Pattern[str]


INTENTS = (
    Intent(
        "deadline",
        re.compile(r"多久|多长时间|几天|几日|多少天|几个月|几年|多少年|期限|有效期|时限|多快"),
        re.compile(rf"{_NUMBER}个?(?:工作日|日|小时|个月|年)|期限|有效期"),
    ),
    Intent(
        "authority",
        re.compile(
            r"哪个部门|哪些部门|什么部门|哪个机关|找谁|向谁|谁来?(?:批|审批|管|负责|决定|认可)|哪里批|报哪|归谁"
        ),
        re.compile(r"(?:主管|行政)部门|人民政府|机关"),
    ),
    Intent(
        "definition",
        re.compile(r"什么是|是什么意思|指的是|指什么|算不算|属不属于|定义|分几|哪几类|几个等级|几级"),
        re.compile(r"是指|分为|包括"),
    ),
)


def intents_of(question: str) -> frozenset[str]:
    """The kinds of answer ``question`` asks for."""
    return frozenset(intent.name for intent in INTENTS if intent.asks.search(question))


def answered_by(article: Article) -> frozenset[str]:
    """The kinds of question ``article`` answers by its wording."""
    return frozenset(intent.name for intent in INTENTS if intent.answers.search(article.text))
