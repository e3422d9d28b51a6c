"""The obligations of a domain and the penalties enforcing them, from the curated obligation→penalty links
(``knowledge/data/penalty_links.toml``): the checklist of a pre-inspection briefing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.law.curated import penalty_links
from knowledge.law.library import Library
from knowledge.models import ArticleRef

# A document governing several domains (生物安全法) puts an article in a domain only when the article
# names the domain's subject.
DOMAIN_SUBJECTS = {"lab_animals": "实验动物", "human_genetic_resources": "人类遗传资源"}
_SENTENCE = re.compile(r"[^。；！？]+[。；！？]?")
_ITEM = re.compile(r"^\s*[（(][一二三四五六七八九十]+[)）]")
_LEANS = re.compile(r"^(?:但是?|无上述|上述|前款)")  # a sentence that needs the one before it


@dataclass(frozen=True)
class Obligation:
    """One duty (the verbatim sentence of its article that states it), the article, the penalty article and
    the sanction's range."""

    duty: str
    obligation: ArticleRef
    penalty: ArticleRef
    range: str


def article_domains(library: Library, ref: ArticleRef) -> set[str]:
    """The domains an article belongs to: its document's, narrowed to the subjects it names when the
    document governs several (生物安全法第五十六条 is about human genetic resources, not laboratory animals)."""
    domains = library.document(ref.doc_id).domains
    if len(domains) < 2:
        return set(domains)
    text = library.articles[ref].text
    return {d for d in domains if d not in DOMAIN_SUBJECTS or DOMAIN_SUBJECTS[d] in text}


def domain_obligations(library: Library, domain: str) -> list[Obligation]:
    """The duties of ``domain`` whose obligation and penalty articles are both in the index, in file order."""
    found: dict[str, Obligation] = {}
    for link in penalty_links():
        if link.obligation not in library.articles or link.penalty not in library.articles:
            continue
        if domain not in article_domains(library, link.obligation):
            continue
        duty = _sentence(library.articles[link.obligation].text, link.obligation_phrase)
        found.setdefault(duty, Obligation(duty, link.obligation, link.penalty, link.range))
    return list(found.values())


def _sentence(text: str, phrase: str) -> str:
    """The whole duty of ``text`` that contains ``phrase``: its sentence, preceded by the sentence it leans on
    when it cannot stand alone (an item 项 after its lead-in, "但是……" or "上述……" after the sentence before);
    the phrase itself if no sentence holds it."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        sentences = [s.strip() for s in _SENTENCE.findall(line) if s.strip()]
        for position, sentence in enumerate(sentences):
            if phrase not in sentence:
                continue
            if position and _LEANS.match(sentence):
                return sentences[position - 1] + sentence
            if _ITEM.match(sentence) or _LEANS.match(sentence):
                return _lead_in(lines, index) + sentence
            return sentence
    return phrase


def _lead_in(lines: list[str], index: int) -> str:
    """The last sentence of the nearest line before ``index`` that is not an item (the list's lead-in)."""
    lead = next((lines[i] for i in range(index - 1, -1, -1) if not _ITEM.match(lines[i])), "")
    found = [s.strip() for s in _SENTENCE.findall(lead) if s.strip()]
    return found[-1] if found else ""
