"""The LLM prompt: templates from ``prompts/``, retrieved articles as delimited data blocks, leak checks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from string import Template

from knowledge.models import CitedCase, QuotedArticle

SYSTEM_FILE = "llm_system.txt"
USER_FILE = "llm_user.txt"
ARTICLE_FILE = "llm_article.txt"
CASE_FILE = "llm_case.txt"
_PLACEHOLDERS = {
    USER_FILE: {"articles", "cases", "question"},
    ARTICLE_FILE: {"marker", "citation", "text"},
    CASE_FILE: {"marker", "party", "facts", "penalty", "lesson", "rules"},
}

# Anything that looks like one of our data-block tags is removed from inserted text, so neither a
# question nor an article can close its block and pose as instructions.
_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:articles?|cases?|question)\b[^>]*>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
LEAK_WINDOW = 16  # characters (whitespace ignored) of prompt text that count as a leak


def markers(candidates: list[QuotedArticle]) -> dict[str, QuotedArticle]:
    """The marker of each candidate, in retrieval order: ``A1``, ``A2``, ..."""
    return {f"A{index}": quoted for index, quoted in enumerate(candidates, 1)}


def _read(name: str) -> str:
    text = resources.files("prompts").joinpath(name).read_text(encoding="utf-8")
    expected = _PLACEHOLDERS.get(name, set())
    found = set(Template(text).get_identifiers())
    if found != expected:
        raise ValueError(f"prompts/{name}: placeholders {sorted(found)}, expected {sorted(expected)}")
    return text


def _clean(text: str) -> str:
    return _BLOCK_TAG.sub("", text).strip()


def _shingles(text: str) -> set[str]:
    flat = _SPACE.sub("", text)
    return {flat[i : i + LEAK_WINDOW] for i in range(len(flat) - LEAK_WINDOW + 1)}


@dataclass(frozen=True)
class Prompt:
    """The four templates and the fingerprints of their fixed text."""

    system: str
    user_template: Template
    article_template: Template
    case_template: Template
    fingerprints: frozenset[str]

    @classmethod
    def load(cls) -> Prompt:
        """Read the templates; ValueError naming the file when a placeholder is missing or unknown."""
        system, user = _read(SYSTEM_FILE), _read(USER_FILE)
        article, case = _read(ARTICLE_FILE), _read(CASE_FILE)
        fixed = [system, *(part for t in (user, article, case) for part in re.split(r"\$\w+", t))]
        fingerprints = frozenset().union(*(_shingles(part) for part in fixed))
        return cls(system, Template(user), Template(article), Template(case), fingerprints)

    def user(self, question: str, candidates: list[QuotedArticle], cases: Sequence[CitedCase] = ()) -> str:
        """The user message: every candidate and given case as a marked data block, then the question."""
        blocks = []
        for marker, quoted in markers(candidates).items():
            citation = f"{quoted.citation}（{quoted.notice}）" if quoted.notice else quoted.citation
            blocks.append(
                self.article_template.substitute(
                    marker=marker, citation=_clean(citation), text=_clean(quoted.text)
                ).strip()
            )
        case_blocks = [
            self.case_template.substitute(
                marker=f"C{index}",
                party=_clean(cited.case.party),
                facts=_clean(cited.case.facts),
                penalty=_clean("；".join(cited.case.penalty)),
                lesson=_clean(cited.case.lesson),
                rules="、".join(cited.rules),
            ).strip()
            for index, cited in enumerate(cases, 1)
        ]
        return self.user_template.substitute(
            articles="\n\n".join(blocks), cases="\n\n".join(case_blocks), question=_clean(question)
        )

    def leaks(self, text: str) -> bool:
        """Whether ``text`` repeats a run of the prompts' own wording."""
        return not self.fingerprints.isdisjoint(_shingles(text))
