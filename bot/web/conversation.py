"""A visitor's conversation on the public page, kept in memory (the turn log keeps what is recorded).
Follow-up questions are read in context by ``knowledge.answers.followup`` (the same for every surface).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from knowledge.models import Answer, QuotedArticle

MAX_TURNS = 20
MAX_VISITORS = 5000


@dataclass
class WebTurn:
    """One question and its answer as the page shows it."""

    uid: str
    question: str
    answer: Answer
    sources: list[QuotedArticle]
    asked_at: datetime
    follow_up_of: str = ""  # the previous question, when the answer used it
    feedback: int = 0


@dataclass
class Conversation:
    turns: list[WebTurn] = field(default_factory=list)

    @property
    def previous(self) -> WebTurn | None:
        return self.turns[-1] if self.turns else None

    def find(self, uid: str) -> WebTurn | None:
        return next((turn for turn in self.turns if turn.uid == uid), None)


class Conversations:
    """Every visitor's conversation, the least recently used dropped beyond ``MAX_VISITORS``."""

    def __init__(self) -> None:
        self._by_visitor: OrderedDict[str, Conversation] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, visitor: str) -> Conversation:
        with self._lock:
            conversation = self._by_visitor.pop(visitor, None) or Conversation()
            self._by_visitor[visitor] = conversation
            while len(self._by_visitor) > MAX_VISITORS:
                self._by_visitor.popitem(last=False)
            return conversation

    def add(self, visitor: str, turn: WebTurn) -> None:
        conversation = self.of(visitor)
        with self._lock:
            conversation.turns = [*conversation.turns, turn][-MAX_TURNS:]

    def clear(self, visitor: str) -> None:
        with self._lock:
            self._by_visitor.pop(visitor, None)
