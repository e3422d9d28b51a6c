"""The year's training report: each inspector's hours against the requirement, scores, weakest topics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from bot.records.training.messages import text, value

WEAKEST_SHOWN = 2


@dataclass(frozen=True)
class TopicScore:
    topic: str
    answered: int
    correct: int

    @property
    def rate(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class InspectorSummary:
    """One inspector's year. ``hours`` counts recorded hours plus quiz practice at the stated rate."""

    inspector: str
    hours: float
    required: float
    recorded_hours: float
    quiz_hours: float
    weeks_left: int
    hours_by_kind: dict[str, float] = field(default_factory=dict)
    exam_score: float | None = None
    quiz_answered: int = 0
    quiz_correct: int = 0
    topics: tuple[TopicScore, ...] = ()

    @property
    def behind(self) -> bool:
        return self.hours < self.required

    @property
    def hours_short(self) -> float:
        return round(max(0.0, self.required - self.hours), 1)

    @property
    def hours_per_week_needed(self) -> float | None:
        """Hours a week still needed to reach the requirement by 31 December (None: no weeks left)."""
        if not self.behind:
            return 0.0
        return round(self.hours_short / self.weeks_left, 1) if self.weeks_left else None

    @property
    def quiz_rate(self) -> float | None:
        return round(100 * self.quiz_correct / self.quiz_answered, 1) if self.quiz_answered else None

    @property
    def weakest_topics(self) -> list[str]:
        """The topics answered worst in practice (only those with a wrong answer), worst first."""
        weak = sorted((t for t in self.topics if t.correct < t.answered), key=lambda t: (t.rate, -t.answered))
        return [t.topic for t in weak[:WEAKEST_SHOWN]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "inspector": self.inspector,
            "hours": round(self.hours, 1),
            "required": self.required,
            "behind": self.behind,
            "hours_short": self.hours_short,
            "weeks_left": self.weeks_left,
            "hours_per_week_needed": self.hours_per_week_needed,
            "recorded_hours": round(self.recorded_hours, 1),
            "quiz_hours": round(self.quiz_hours, 1),
            "hours_by_kind": {k: round(v, 1) for k, v in self.hours_by_kind.items()},
            "exam_score": self.exam_score,
            "quiz_answered": self.quiz_answered,
            "quiz_correct": self.quiz_correct,
            "quiz_rate": self.quiz_rate,
            "weakest_topics": self.weakest_topics,
            "topics": [asdict(t) for t in self.topics],
        }


@dataclass(frozen=True)
class TrainingReport:
    year: int
    required: float
    as_of: date
    inspectors: tuple[InspectorSummary, ...]

    @property
    def behind(self) -> list[InspectorSummary]:
        return [s for s in self.inspectors if s.behind]

    def to_list(self) -> list[dict[str, Any]]:
        return [s.to_dict() for s in self.inspectors]

    def rows(self) -> list[list[object]]:
        """One spreadsheet row per inspector, under ``report.headers``."""
        yes, no = text("report.yes"), text("report.no")
        return [
            [
                s.inspector,
                round(s.hours, 1),
                s.required,
                yes if s.behind else no,
                s.hours_short,
                s.weeks_left,
                s.hours_per_week_needed,
                round(s.quiz_hours, 1),
                s.exam_score,
                s.quiz_answered,
                s.quiz_rate,
                "、".join(s.weakest_topics),
            ]
            for s in self.inspectors
        ]

    def render_text(self) -> str:
        """The plain-text summary shown by ``pufa training report`` and Telegram's /training."""
        if not self.inspectors:
            return text("report.empty", year=self.year)
        none = text("report.none")
        lines = [text("report.title", year=self.year, required=_num(self.required))]
        for s in self.inspectors:
            status = (
                text(
                    "report.behind",
                    short=_num(s.hours_short),
                    weeks=s.weeks_left,
                    per_week=_num(s.hours_per_week_needed) if s.hours_per_week_needed is not None else none,
                )
                if s.behind
                else text("report.done")
            )
            quiz = (
                text(
                    "report.quiz_score",
                    correct=s.quiz_correct,
                    answered=s.quiz_answered,
                    rate=_num(s.quiz_rate),
                )
                if s.quiz_answered
                else none
            )
            lines.append(
                text(
                    "report.line",
                    inspector=s.inspector,
                    hours=_num(s.hours),
                    required=_num(s.required),
                    quiz_hours=_num(s.quiz_hours),
                    status=status,
                    exam=_num(s.exam_score) if s.exam_score is not None else none,
                    quiz=quiz,
                    weakest="、".join(s.weakest_topics) or none,
                )
            )
        lines.append(text("report.summary", count=len(self.inspectors), behind=len(self.behind)))
        return "\n".join(lines)


def _num(number: float | None) -> str:
    """1.0 → "1", 2.5 → "2.5"."""
    return "" if number is None else f"{round(number, 1):g}"


def weeks_left(year: int, today: date) -> int:
    """Whole weeks from ``today`` to 31 December of ``year`` (0 for a past year, 52 for a future one)."""
    if year < today.year:
        return 0
    if year > today.year:
        return 52
    return (date(year, 12, 31) - today).days // 7


def summarize(
    names: Iterable[str],
    records: Iterable[tuple[str, str, float, float | None]],
    answers: Iterable[tuple[str, str, bool]],
    year: int,
    today: date,
    required: float,
    minutes_per_question: float,
) -> TrainingReport:
    """Build the report from (inspector, kind, hours, score) records and (inspector, topic, correct) answers."""
    exam_kinds = set(value("records.exam_kinds"))
    by_kind: dict[str, dict[str, float]] = {}
    scores: dict[str, list[float]] = {}
    for inspector, kind, hours, score in records:
        kinds = by_kind.setdefault(inspector, {})
        kinds[kind] = kinds.get(kind, 0.0) + hours
        if score is not None and kind in exam_kinds:
            scores.setdefault(inspector, []).append(score)
    topics: dict[str, dict[str, list[int]]] = {}
    for inspector, topic, correct in answers:
        tally = topics.setdefault(inspector, {}).setdefault(topic, [0, 0])
        tally[0] += 1
        tally[1] += int(correct)
    everyone = sorted(set(names) | set(by_kind) | set(topics))
    left = weeks_left(year, today)
    summaries = []
    for name in everyone:
        tallies = topics.get(name, {})
        answered = sum(t[0] for t in tallies.values())
        quiz_hours = answered * minutes_per_question / 60
        recorded = sum(by_kind.get(name, {}).values())
        exam = scores.get(name)
        summaries.append(
            InspectorSummary(
                inspector=name,
                hours=recorded + quiz_hours,
                required=required,
                recorded_hours=recorded,
                quiz_hours=quiz_hours,
                weeks_left=left,
                hours_by_kind=by_kind.get(name, {}),
                exam_score=round(sum(exam) / len(exam), 1) if exam else None,
                quiz_answered=answered,
                quiz_correct=sum(t[1] for t in tallies.values()),
                topics=tuple(TopicScore(t, n, c) for t, (n, c) in sorted(tallies.items())),
            )
        )
    summaries.sort(key=lambda s: (not s.behind, s.hours, s.inspector))
    return TrainingReport(year, required, today, tuple(summaries))
