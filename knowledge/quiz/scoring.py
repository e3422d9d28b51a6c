"""Points per question kind: whole numbers, the same for every question of a kind, totalling exactly 100."""

from __future__ import annotations

from collections.abc import Mapping

FULL_MARKS = 100


def kind_points(counts: Mapping[str, int], total: int = FULL_MARKS) -> dict[str, int] | None:
    """Whole points per question for each kind with ``counts[kind]`` questions, summing to ``total`` and as
    even as possible (least squared gap to ``total / questions``); None when no such split exists."""
    kinds = [kind for kind, count in counts.items() if count > 0]
    questions = sum(counts[kind] for kind in kinds)
    if not kinds or questions > total:
        return None
    fair = total / questions
    # best[s] = (cost, points so far) for the kinds seen, reaching subtotal s; kinds taken in the given order.
    best: dict[int, tuple[float, tuple[int, ...]]] = {0: (0.0, ())}
    for kind in kinds:
        count = counts[kind]
        step: dict[int, tuple[float, tuple[int, ...]]] = {}
        for subtotal, (cost, chosen) in sorted(best.items()):
            for points in range(1, (total - subtotal) // count + 1):
                reached = subtotal + points * count
                option = (cost + count * (points - fair) ** 2, (*chosen, points))
                if reached not in step or option < step[reached]:
                    step[reached] = option
        best = step
    if total not in best:
        return None
    return dict(zip(kinds, best[total][1], strict=True))
