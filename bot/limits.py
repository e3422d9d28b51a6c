"""The per-person question limit every surface applies (Telegram users, web visitors and addresses)."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_TRACKED = 4096 * 4  # people remembered at once; the least recently seen are forgotten first


class QuestionLimiter:
    """At most ``per_minute`` questions per user in any 60-second window; one notice per window."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._asked: OrderedDict[int | str, deque[float]] = OrderedDict()
        self._told_until: OrderedDict[int | str, float] = OrderedDict()

    def check(self, user: int | str) -> float:
        """Record a question; return 0 if allowed, else the seconds until the user may ask again."""
        if self.per_minute <= 0:
            return 0.0
        now = self._clock()
        times = self._asked.pop(user, None) or deque()
        while times and now - times[0] >= 60:
            times.popleft()
        self._asked[user] = times
        while len(self._asked) > MAX_TRACKED:
            self._asked.popitem(last=False)
        if len(times) >= self.per_minute:
            return 60 - (now - times[0])
        times.append(now)
        return 0.0

    def first_notice(self, user: int | str, wait_s: float) -> bool:
        """True once per window: the user over the limit is told once, later questions are dropped."""
        now = self._clock()
        if self._told_until.get(user, 0.0) > now:
            return False
        self._told_until[user] = now + wait_s
        self._told_until.move_to_end(user)
        while len(self._told_until) > MAX_TRACKED:
            self._told_until.popitem(last=False)
        return True

    def muted(self, user: int | str) -> bool:
        """True while ``user`` is over the limit and has been told: their updates can be dropped unseen."""
        return self._told_until.get(user, 0.0) > self._clock()
