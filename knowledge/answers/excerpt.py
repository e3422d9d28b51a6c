"""Which part of a long article to quote: the 款 that carry the rule asked about and, in a 款 that
enumerates 项, its lead sentence with the matching 项 (omitted parts shown as ``……``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from knowledge.models import Article, Paragraph

GAP = "……"


@dataclass(frozen=True)
class ExcerptTuning:
    min_chars: int = 260  # shorter articles are quoted whole
    paragraph_ratio: float = 0.6  # also quote a 款 scoring this share of the best one …
    max_paragraphs: int = 2  # … up to this many
    min_items_to_cut: int = 3  # a 款 with fewer 项 is quoted whole
    max_items: int = 2  # the 项 quoted from a long enumeration


def excerpt(
    article: Article, terms: set[str], must_contain: str = "", tuning: ExcerptTuning = ExcerptTuning()
) -> str:
    """The verbatim text to quote for ``article`` given the question's ``terms``."""
    if len(article.text) < tuning.min_chars:
        return article.text

    def relevance(text: str) -> float:
        if must_contain and must_contain in text:
            return 1e6
        return sum(len(t) for t in terms if t in text)

    scores = [relevance(p.render()) for p in article.paragraphs]
    best = max(scores)
    ranked = sorted(range(len(scores)), key=lambda i: -scores[i])
    kept = sorted(
        i
        for i in ranked[: tuning.max_paragraphs]
        if i == ranked[0] or (best and scores[i] >= best * tuning.paragraph_ratio)
    )
    lines: list[str] = []
    previous = -1
    for index in kept:
        if index > previous + 1:
            lines.append(GAP)
        lines.extend(_paragraph_lines(article.paragraphs[index], relevance, tuning))
        previous = index
    if previous < len(article.paragraphs) - 1:
        lines.append(GAP)
    return "\n".join(lines)


def _paragraph_lines(
    paragraph: Paragraph, relevance: Callable[[str], float], tuning: ExcerptTuning
) -> list[str]:
    """A 款 whole, or its lead sentence with the most relevant 项 of a long enumeration."""
    items = paragraph.items
    scores = [relevance(item) for item in items]
    if len(items) < tuning.min_items_to_cut or not any(scores):
        return paragraph.render().split("\n")
    chosen = sorted(sorted(range(len(items)), key=lambda i: -scores[i])[: tuning.max_items])
    chosen = [i for i in chosen if scores[i] > 0]
    lines = [paragraph.text] if paragraph.text else []
    previous = -1
    for index in chosen:
        if index > previous + 1:
            lines.append(GAP)
        lines.append(items[index])
        previous = index
    if previous < len(items) - 1:
        lines.append(GAP)
    return lines
