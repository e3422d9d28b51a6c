"""Checks of knowledge/data/expansions.toml: hand-written search phrases ("doc2query") per article."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.sources import load_corpus
from knowledge.law.catalog import load_manifest

EXPANSIONS = Path(__file__).resolve().parents[3] / "knowledge" / "data" / "expansions.toml"
CORPUS_DIR = Path(
    os.environ.get("PUFA_CORPUS_DIR") or Path(__file__).resolve().parents[4] / "shared" / "regulations"
)
FULLY_COVERED = ("lab-animal-regulation", "hgr-regulation-2019")
MIN_PHRASES, MAX_PHRASES, MAX_CHARS = 3, 6, 40
KEYS = {"doc", "article", "phrases"}


@dataclass(frozen=True)
class Reference:
    """What the expansions are checked against: manifest ids and the article numbers of each document."""

    manifest_ids: frozenset[str]
    articles: dict[str, frozenset[int]]


@pytest.fixture(scope="module")
def reference() -> Reference:
    corpus = load_corpus(CORPUS_DIR)
    articles = {s.document.id: frozenset(a.number for a in s.parsed.articles) for s in corpus.sources}
    manifest_ids = frozenset(doc.id for doc in load_manifest(CORPUS_DIR).documents)
    return Reference(manifest_ids, articles)


def entries_with_lines(text: str) -> list[tuple[int, object]]:
    """The ``[[article]]`` tables of ``text``, each with the line of its header."""
    tables = tomllib.loads(text).get("article", [])
    headers = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[article]]"]
    assert len(headers) == len(tables), "every [[article]] header must stand alone on its line"
    return list(zip(headers, tables, strict=True))


def problems(text: str, ref: Reference, source: str = "expansions.toml") -> list[str]:
    """Every rule broken by the expansions in ``text``, as ``source:line: reason`` messages."""
    found: list[str] = []
    seen: dict[tuple[str, int], int] = {}
    for line, entry in entries_with_lines(text):
        where = f"{source}:{line}"
        if not isinstance(entry, dict) or set(entry) != KEYS:
            found.append(f"{where}: keys must be exactly {sorted(KEYS)}")
            continue
        doc, number, phrases = entry["doc"], entry["article"], entry["phrases"]
        if not isinstance(doc, str) or not isinstance(number, int) or isinstance(number, bool):
            found.append(f"{where}: doc must be a string and article an integer")
            continue
        if doc not in ref.manifest_ids:
            found.append(f"{where}: doc {doc!r} is not in the manifest")
        elif number not in ref.articles.get(doc, frozenset()):
            found.append(f"{where}: {doc} has no article {number}")
        if (doc, number) in seen:
            found.append(
                f"{where}: duplicate of the entry at line {seen[doc, number]} ({doc} article {number})"
            )
        seen.setdefault((doc, number), line)
        found += [f"{where}: {reason}" for reason in phrase_problems(phrases)]
    return found


def phrase_problems(phrases: object) -> list[str]:
    """Rules for one entry's phrase list."""
    if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
        return ["phrases must be a list of strings"]
    found = []
    if not MIN_PHRASES <= len(phrases) <= MAX_PHRASES:
        found.append(f"{len(phrases)} phrases, expected {MIN_PHRASES}–{MAX_PHRASES}")
    for phrase in phrases:
        if not phrase.strip() or phrase != phrase.strip():
            found.append(f"empty phrase or surrounding spaces: {phrase!r}")
        if len(phrase) > MAX_CHARS:
            found.append(f"phrase longer than {MAX_CHARS} characters ({len(phrase)}): {phrase}")
    if len(set(phrases)) != len(phrases):
        found.append("repeated phrase")
    return found


def uncovered(text: str, ref: Reference, doc_ids: tuple[str, ...]) -> list[str]:
    """Articles of ``doc_ids`` that have no entry."""
    present = {(e["doc"], e["article"]) for _, e in entries_with_lines(text) if isinstance(e, dict)}
    return [
        f"{doc} article {n}"
        for doc in doc_ids
        for n in sorted(ref.articles.get(doc, frozenset()))
        if (doc, n) not in present
    ]


def test_file_parses_and_is_not_empty() -> None:
    entries = entries_with_lines(EXPANSIONS.read_text(encoding="utf-8"))
    assert entries, f"{EXPANSIONS}: no [[article]] entries"


def test_file_follows_every_rule(reference: Reference) -> None:
    assert problems(EXPANSIONS.read_text(encoding="utf-8"), reference, EXPANSIONS.name) == []


def test_every_article_of_the_core_regulations_is_covered(reference: Reference) -> None:
    for doc in FULLY_COVERED:
        assert reference.articles.get(doc), f"{doc} missing from the corpus at {CORPUS_DIR}"
    assert uncovered(EXPANSIONS.read_text(encoding="utf-8"), reference, FULLY_COVERED) == []


GOOD = '"新买的小鼠要隔离吗", "引进动物要检疫吗", "野生动物再次检疫"'
LONG = "长" * (MAX_CHARS + 1)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (f'doc = "no-such-law"\narticle = 1\nphrases = [{GOOD}]', "not in the manifest"),
        (f'doc = "lab-animal-regulation"\narticle = 999\nphrases = [{GOOD}]', "has no article 999"),
        (f'doc = "lab-animal-regulation"\narticle = "16"\nphrases = [{GOOD}]', "article an integer"),
        (f'doc = "lab-animal-regulation"\nphrases = [{GOOD}]', "keys must be exactly"),
        ('doc = "lab-animal-regulation"\narticle = 16\nphrases = ["一", "二"]', "2 phrases"),
        (f'doc = "lab-animal-regulation"\narticle = 16\nphrases = [{GOOD}, "4", "5", "6", "7"]', "7 phrases"),
        ('doc = "lab-animal-regulation"\narticle = 16\nphrases = ["一", "", "三"]', "empty phrase"),
        ('doc = "lab-animal-regulation"\narticle = 16\nphrases = ["一", " 二", "三"]', "surrounding spaces"),
        (f'doc = "lab-animal-regulation"\narticle = 16\nphrases = ["{LONG}", "二", "三"]', "longer than 40"),
        ('doc = "lab-animal-regulation"\narticle = 16\nphrases = ["一", "一", "三"]', "repeated phrase"),
        ('doc = "lab-animal-regulation"\narticle = 16\nphrases = "一二三"', "list of strings"),
    ],
)
def test_each_rule_catches_a_bad_entry(reference: Reference, body: str, fragment: str) -> None:
    text = f"\n[[article]]\n{body}\n"
    found = problems(text, reference, "bad.toml")
    assert any(fragment in message and message.startswith("bad.toml:2:") for message in found), found


def test_duplicates_are_caught_with_both_lines(reference: Reference) -> None:
    entry = f'[[article]]\ndoc = "lab-animal-regulation"\narticle = 16\nphrases = [{GOOD}]\n'
    found = problems(entry + "\n" + entry, reference, "dup.toml")
    assert found == ["dup.toml:6: duplicate of the entry at line 1 (lab-animal-regulation article 16)"]


def test_coverage_check_names_a_missing_article(reference: Reference) -> None:
    text = EXPANSIONS.read_text(encoding="utf-8")
    header = '[[article]]\ndoc = "lab-animal-regulation"\narticle = 16\n'
    assert header in text
    start = text.index(header)
    end = text.index("[[article]]", start + len(header))
    assert uncovered(text[:start] + text[end:], reference, FULLY_COVERED) == [
        "lab-animal-regulation article 16"
    ]
