"""Follow-up questions: people talk in turns. An elliptical question ("那罚多少？", "要审批吗？") is read with the
previous turn of the same person — its question and the articles it cited; a question with its own subject
starts fresh. One context per person (in a group too), bounded in number and expiring after a while.

Every surface (terminal chat, Telegram, web) keeps one ``Conversations`` and calls ``ask`` with the person's
key instead of ``Assistant.ask``.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from knowledge.law.library import Library
from knowledge.models import Answer, ArticleRef
from knowledge.retrieval.lexical import tokenize

# A question leaning on what was said before: "那…", "那如果…", "还有…", "另外…".
_LEANS_BACK = re.compile(
    r"^(?:那|那么|那如果|那要是|还有|另外|如果是|要是|这个|这种情况|这样的话|then\b|and\b|what about)", re.I
)
# Words that ask *about* something without naming it: what remains once they are removed is the subject.
_ASKING_WORDS = frozenset(
    [
        "罚",
        "罚款",
        "处罚",
        "罚多少",
        "多少",
        "多少钱",
        "钱",
        "后果",
        "责任",
        "法律责任",
        "审批",
        "批准",
        "备案",
        "许可",
        "报批",
        "需要",
        "要",
        "要不要",
        "需不需要",
        "可以",
        "能",
        "能不能",
        "行",
        "行不行",
        "怎么",
        "怎么办",
        "怎么样",
        "怎样",
        "如何",
        "什么",
        "哪个",
        "哪些",
        "哪条",
        "条",
        "第几条",
        "谁",
        "部门",
        "多久",
        "多长时间",
        "期限",
        "时间",
        "英文",
        "英语",
        "中文",
        "说",
        "翻译",
        "叫",
        "呢",
        "吗",
        "吧",
        "啊",
        "的",
        "了",
        "是",
        "有",
        "没有",
        "还",
        "也",
        "会",
        "被",
        "还要",
        "还需要",
        "依据",
        "根据",
        "规定",
        "哪里",
        "那",
        "那么",
        "如果",
        "要是",
        "这个",
        "这种",
        "情况",
        "呀",
        "该",
        "what",
        "how",
        "much",
        "fine",
        "penalty",
        "english",
        "approval",
        "need",
        "do",
        "i",
        "we",
        "it",
        "is",
        "the",
        "a",
        "in",
    ]
)


class Answering(Protocol):
    """What answers a question over a library of articles (``knowledge.Assistant``)."""

    @property
    def library(self) -> Library: ...

    def ask(self, question: str) -> Answer: ...


@dataclass(frozen=True)
class FollowUpTuning:
    """How much the conversations remember: people kept, how long, and how short an elliptical question is."""

    max_people: int = 2000
    ttl_seconds: float = 30 * 60
    max_elliptical_chars: int = 16


@dataclass(frozen=True)
class Turn:
    """What a person asked last (as answered, with its context) and the articles the answer cited."""

    question: str
    citations: tuple[ArticleRef, ...]
    at: float


def is_elliptical(question: str, tuning: FollowUpTuning = FollowUpTuning()) -> bool:
    """A short question that names no subject of its own, or leans back on the previous one."""
    text = question.strip()
    if len(text) > tuning.max_elliptical_chars:
        return False
    if _LEANS_BACK.search(text):
        return True
    subject = [t for t in tokenize(text) if t.lower() not in _ASKING_WORDS and len(t) > 1]
    return not subject


class Conversations:
    """The previous turn of each person, keyed by a person id; thread-safe."""

    def __init__(
        self, tuning: FollowUpTuning = FollowUpTuning(), clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.tuning = tuning
        self._clock = clock
        self._turns: OrderedDict[str, Turn] = OrderedDict()
        self._lock = threading.Lock()

    def previous(self, person: str) -> Turn | None:
        """The person's last turn, if it has not expired."""
        with self._lock:
            turn = self._turns.get(person)
            if turn is None:
                return None
            if self._clock() - turn.at > self.tuning.ttl_seconds:
                del self._turns[person]
                return None
            return turn

    def resolve(self, person: str, question: str) -> str:
        """The question to answer: ``question`` itself, or — when elliptical and the person asked something
        before — the previous question followed by it."""
        previous = self.previous(person)
        if previous is None or not is_elliptical(question, self.tuning):
            return question
        return f"{previous.question} {question.strip()}"

    def remember(self, person: str, question: str, answer: Answer) -> None:
        """Keep ``question`` (as resolved) and what its answer cited as the person's last turn."""
        if answer.declined and not answer.citations:
            return  # a declined turn is no context for the next question
        with self._lock:
            self._turns.pop(person, None)
            self._turns[person] = Turn(question, tuple(answer.citations), self._clock())
            while len(self._turns) > self.tuning.max_people:
                self._turns.popitem(last=False)

    def forget(self, person: str) -> None:
        with self._lock:
            self._turns.pop(person, None)

    def ask(self, person: str, question: str, answer: Callable[[str], Answer]) -> Answer:
        """Answer ``question`` of ``person`` with ``answer`` (e.g. ``Assistant.ask``), read in context; the
        answer's ``question`` stays as the person typed it."""
        resolved = self.resolve(person, question)
        result = answer(resolved)
        self.remember(person, resolved, result)
        if resolved != question:
            result.question = question.strip()
        return result

    def of(self, person: str, assistant: Answering) -> InContext:
        """An answerer (``ask(question)``, ``library``) for ``person``: what a surface hands to its answering
        code."""
        return InContext(self, person, assistant)


@dataclass(frozen=True)
class InContext:
    """One person's questions answered in the context of their previous turn."""

    conversations: Conversations
    person: str
    assistant: Answering

    @property
    def library(self) -> Library:
        return self.assistant.library

    def ask(self, question: str) -> Answer:
        return self.conversations.ask(self.person, question, self.assistant.ask)
