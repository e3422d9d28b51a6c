"""The curated FAQ and obligation→penalty links agree with the real regulation texts."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from ingest.sources import Corpus, load_corpus
from knowledge.law.numerals import NUMERAL_CHARS, to_int
from knowledge.models import Article

DATA_DIR = Path(__file__).parents[3] / "knowledge" / "data"
DEFAULT_CORPUS = Path(__file__).parents[3].parent / "shared" / "regulations"

DOMAINS = {
    "lab_animals",
    "human_genetic_resources",
    "biosafety",
    "animal_epidemic",
    "wildlife",
    "enforcement",
}
# 实验动物管理条例 names its liability chapter “奖励与处罚”, the other texts “法律责任”.
LIABILITY_MARKERS = ("法律责任", "罚则", "处罚")
# Every liability article of the three texts that names conduct of regulated units or staff.
REQUIRED_PENALTIES = {
    ("lab-animal-regulation", 29),
    ("lab-animal-regulation", 30),
    *(("hgr-regulation-2019", n) for n in range(36, 43)),
    ("biosecurity-law-2024", 79),
    ("biosecurity-law-2024", 80),
}
CROSS_REF = re.compile(rf"第([{NUMERAL_CHARS}0-9]+)条")

ArticleIndex = dict[tuple[str, int], Article]


def _load(name: str, key: str) -> list[dict[str, Any]]:
    with (DATA_DIR / name).open("rb") as handle:
        return tomllib.load(handle)[key]


FAQ = _load("faq.toml", "faq")
LINKS = _load("penalty_links.toml", "link")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _contains(article: Article, phrase: str) -> bool:
    return bool(phrase.strip()) and _squash(phrase) in _squash(article.text)


def _link_id(link: dict[str, Any]) -> str:
    ob, pen = link["obligation"], link["penalty"]
    return f"{ob['doc']}:{ob['article']}->{pen['doc']}:{pen['article']}"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus(Path(os.environ.get("PUFA_CORPUS_DIR", DEFAULT_CORPUS)))


@pytest.fixture(scope="module")
def articles(corpus: Corpus) -> ArticleIndex:
    return {(s.document.id, a.number): a for s in corpus.sources for a in s.parsed.articles}


def _article(articles: ArticleIndex, ref: dict[str, Any]) -> Article:
    key = (ref["doc"], ref["article"])
    assert key in articles, f"第{ref['article']}条 of {ref['doc']} does not exist in the corpus"
    return articles[key]


def test_faq_has_enough_entries_with_unique_ids() -> None:
    ids = [entry["id"] for entry in FAQ]
    assert len(ids) >= 45
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)


def test_faq_questions_are_not_repeated_across_entries() -> None:
    questions = [q for entry in FAQ for q in entry["questions"]]
    assert len(questions) == len(set(questions)), sorted({q for q in questions if questions.count(q) > 1})


@pytest.mark.parametrize("entry", FAQ, ids=[e["id"] for e in FAQ])
def test_faq_entry_is_complete(entry: dict[str, Any]) -> None:
    assert entry["domain"] in DOMAINS
    assert 2 <= len(entry["questions"]) <= 4 and all(q.strip() for q in entry["questions"])
    assert entry["conclusion"].strip()
    assert entry["compliance"] and all(point.strip() for point in entry["compliance"])
    assert entry["advice"].strip()
    assert entry["refs"]


@pytest.mark.parametrize("entry", FAQ, ids=[e["id"] for e in FAQ])
def test_faq_refs_quote_the_cited_article(entry: dict[str, Any], articles: ArticleIndex) -> None:
    for ref in entry["refs"]:
        article = _article(articles, ref)
        assert _contains(article, ref["phrase"]), f"{ref['phrase']!r} not in {ref['doc']} {article.label}"


def test_faq_cites_the_current_version_when_the_corpus_has_it(corpus: Corpus) -> None:
    documents = {s.document.id: s.document for s in corpus.sources}
    current_titles = {d.title for d in documents.values() if d.status == "current"}
    for entry in FAQ:
        for ref in entry["refs"]:
            doc = documents[ref["doc"]]
            assert doc.status == "current" or doc.title not in current_titles, (
                f"{entry['id']} cites superseded {doc.id}"
            )


@pytest.mark.parametrize("link", LINKS, ids=[_link_id(link) for link in LINKS])
def test_link_phrases_occur_in_both_articles(link: dict[str, Any], articles: ArticleIndex) -> None:
    obligation = _article(articles, link["obligation"])
    penalty = _article(articles, link["penalty"])
    assert _contains(obligation, link["obligation_phrase"]), link["obligation_phrase"]
    assert _contains(penalty, link["penalty_phrase"]), link["penalty_phrase"]
    assert link["range"].strip()


@pytest.mark.parametrize("link", LINKS, ids=[_link_id(link) for link in LINKS])
def test_penalty_article_is_in_a_liability_chapter(link: dict[str, Any], articles: ArticleIndex) -> None:
    penalty = _article(articles, link["penalty"])
    assert any(marker in penalty.chapter for marker in LIABILITY_MARKERS), penalty.chapter


@pytest.mark.parametrize("link", LINKS, ids=[_link_id(link) for link in LINKS])
def test_article_number_in_penalty_phrase_matches_obligation(link: dict[str, Any]) -> None:
    cited = [to_int(n) for n in CROSS_REF.findall(link["penalty_phrase"])]
    if cited:
        assert link["obligation"]["doc"] == link["penalty"]["doc"]
        assert link["obligation"]["article"] in cited, (cited, link["obligation"])


def test_links_are_unique() -> None:
    keys = [
        (_link_id(link), _squash(link["obligation_phrase"]), _squash(link["penalty_phrase"]))
        for link in LINKS
    ]
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})


def test_every_liability_article_is_linked() -> None:
    linked = {(link["penalty"]["doc"], link["penalty"]["article"]) for link in LINKS}
    assert sorted(REQUIRED_PENALTIES - linked) == []


def test_every_enumerated_violation_has_a_link(articles: ArticleIndex) -> None:
    """Each （一）（二）… item of a linked penalty article is named by at least one link."""
    phrases: dict[tuple[str, int], list[str]] = {}
    for link in LINKS:
        key = (link["penalty"]["doc"], link["penalty"]["article"])
        phrases.setdefault(key, []).append(_squash(link["penalty_phrase"]))
    uncovered = [
        f"{doc} {articles[(doc, number)].label} {item}"
        for (doc, number), names in phrases.items()
        for paragraph in articles[(doc, number)].paragraphs
        for item in paragraph.items
        if not any(name in _squash(item) for name in names)
    ]
    assert uncovered == []
