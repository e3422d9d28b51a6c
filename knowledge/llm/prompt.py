"""The LLM prompt: templates from ``prompts/``, retrieved articles as delimited data blocks, leak checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from string import Template

from knowledge.models import QuotedArticle

SYSTEM_FILE = "llm_system.txt"
USER_FILE = "llm_user.txt"
ARTICLE_FILE = "llm_article.txt"
_PLACEHOLDERS = {USER_FILE: {"articles", "question"}, ARTICLE_FILE: {"marker", "citation", "text"}}

# Anything that looks like one of our data-block tags is removed from inserted text, so neither a
# question nor an article can close its block and pose as instructions.
_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:articles?|question)\b[^>]*>", re.IGNORECASE)
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
    """The three templates and the fingerprints of their fixed text."""

    system: str
    user_template: Template
    article_template: Template
    fingerprints: frozenset[str]

    @classmethod
    def load(cls) -> Prompt:
        """Read the templates; ValueError naming the file when a placeholder is missing or unknown."""
        system, user, article = _read(SYSTEM_FILE), _read(USER_FILE), _read(ARTICLE_FILE)
        fixed = [system, *re.split(r"\$\w+", user), *re.split(r"\$\w+", article)]
        fingerprints = frozenset().union(*(_shingles(part) for part in fixed))
        return cls(system, Template(user), Template(article), fingerprints)

    def user(self, question: str, candidates: list[QuotedArticle]) -> str:
        """The user message: every candidate as a marked data block, then the question block."""
        blocks = []
        for marker, quoted in markers(candidates).items():
            citation = f"{quoted.citation}（{quoted.notice}）" if quoted.notice else quoted.citation
            blocks.append(
                self.article_template.substitute(
                    marker=marker, citation=_clean(citation), text=_clean(quoted.text)
                ).strip()
            )
        return self.user_template.substitute(articles="\n\n".join(blocks), question=_clean(question))

    def leaks(self, text: str) -> bool:
        """Whether ``text`` repeats a run of the prompts' own wording."""
        return not self.fingerprints.isdisjoint(_shingles(text))
