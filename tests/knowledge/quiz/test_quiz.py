"""Quiz generation from the real corpus: every question answerable from its own article, plausible
distractors, one paper per seed, and a 50-question paper well under 2 s."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

from ingest.sources import load_corpus
from knowledge.law.catalog import Catalog
from knowledge.models import Article, ArticleRef
from knowledge.quiz import KINDS, Question, QuizBank, QuizError
from knowledge.quiz.bank import occurs
from knowledge.quiz.scoring import kind_points
from knowledge.templates import text as template

BLANK = template("quiz", "blank")
TRUE, FALSE = template("quiz", "true_label"), template("quiz", "false_label")


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> tuple[Catalog, dict[ArticleRef, Article]]:
    loaded = load_corpus(corpus_dir)
    return loaded.catalog, {a.ref: a for s in loaded.sources for a in s.parsed.articles}


@pytest.fixture(scope="module")
def bank(corpus: tuple[Catalog, dict[ArticleRef, Article]]) -> QuizBank:
    catalog, articles = corpus
    return QuizBank(catalog, articles.values())


@pytest.fixture(scope="module")
def every_question(bank: QuizBank) -> list[Question]:
    rng = random.Random(0)
    return [candidate.build(rng) for candidate in bank.candidates]


def _filled(question: Question) -> str:
    """The quoted sentence of the stem with the blank(s) filled by the answer."""
    quoted = re.search(r"“(.*)”", question.question, re.S)
    assert quoted, question.question
    return quoted.group(1).replace(BLANK, question.answer)


def test_every_kind_and_topic_is_generated(bank: QuizBank, every_question: list[Question]) -> None:
    assert {q.kind for q in every_question} == set(KINDS)
    assert bank.topics == ["实验动物", "人类遗传资源", "生物安全", "行政处罚", "行政许可"]
    for topic in bank.topics:
        assert {q.kind for q in every_question if q.topic == topic} >= {"article", "fill", "truefalse"}


def test_questions_come_only_from_versions_in_force(
    corpus: tuple[Catalog, dict[ArticleRef, Article]], every_question: list[Question]
) -> None:
    catalog, _ = corpus
    used = {q.doc_id for q in every_question}
    assert "biosecurity-law-2020" not in used and "pathogen-lab-regulation-2018" not in used
    assert "animal-epidemic-law" not in used  # no training topic
    for doc_id in used:
        doc = catalog.get(doc_id)
        assert doc is not None and (doc.status == "current" or doc_id == "hgr-regulation-2019")
    hgr = [q for q in every_question if q.doc_id == "hgr-regulation-2019"]
    assert hgr and all("已被修改" in q.notice for q in hgr)
    assert not [q for q in hgr if q.kind == "authority"]  # the amendment moved the competent department
    # nor does any other kind ask about a sentence naming who is in charge or acts
    assert not [q for q in hgr if re.search("部门|机关|委员会|人民政府", q.evidence + q.question)]


def test_every_answer_is_recoverable_from_its_article(
    corpus: tuple[Catalog, dict[ArticleRef, Article]], every_question: list[Question]
) -> None:
    _, articles = corpus
    for q in every_question:
        article = articles[ArticleRef(q.doc_id, q.article)]
        assert q.text == article.text and q.citation.endswith(article.label), q
        assert q.evidence in article.text, q
        if q.kind == "article":
            assert q.answer == article.label
            quoted = re.search(r"“(.*)”", q.question, re.S).group(1)  # type: ignore[union-attr]
            masked = re.escape(quoted).replace(re.escape(BLANK), ".+")
            assert BLANK in quoted and re.fullmatch(masked, q.evidence), q  # the key words are masked
            chapter = {
                a.label for a in articles.values() if a.doc_id == q.doc_id and a.chapter == article.chapter
            }
            assert set(q.choices) <= chapter
        elif q.kind == "penalty":
            # the range is the fine the article sets, right after 处, and the act is the article's own
            assert re.search(rf"处(?:以)?{re.escape(q.answer)}(?:的)?罚款", article.text), q
            assert re.search(r"元以下$", q.answer)
        elif q.kind in ("deadline", "authority", "fill"):
            assert occurs(q.answer, article.text), q
            assert _filled(q) == q.evidence, q
        else:
            statement = re.search(r"“(.*)”", q.question, re.S).group(1)  # type: ignore[union-attr]
            assert q.choices == (TRUE, FALSE)
            assert (q.answer == TRUE) == (statement == q.evidence), q
            if q.answer == FALSE:
                assert statement not in article.text


def test_distractors_differ_from_the_answer_and_are_absent_from_the_article(
    corpus: tuple[Catalog, dict[ArticleRef, Article]], every_question: list[Question]
) -> None:
    _, articles = corpus
    for q in every_question:
        if q.kind == "fill":
            assert q.choices == ()
            continue
        assert q.answer in q.choices and len(set(q.choices)) == len(q.choices), q
        assert len(q.choices) == (2 if q.kind == "truefalse" else 4), q  # every choice question alike
        if q.kind in ("penalty", "deadline", "authority"):
            text = articles[ArticleRef(q.doc_id, q.article)].text
            for other in q.choices:
                if other != q.answer:
                    assert not occurs(other, text), (other, q)
        if q.kind == "penalty":
            # plausible: the other ranges are real fines of the same law
            law = "\n".join(a.text for a in articles.values() if a.doc_id == q.doc_id)
            assert all(occurs(choice, law) for choice in q.choices)
        if q.kind == "deadline":
            assert all(re.search(r"(日|年|月)$", choice) for choice in q.choices)


def test_the_same_seed_gives_the_same_paper(bank: QuizBank) -> None:
    first = [q.as_dict() for q in bank.paper(50, seed=42)]
    again = [q.as_dict() for q in bank.paper(50, seed=42)]
    other = [q.as_dict() for q in bank.paper(50, seed=43)]
    assert first == again
    assert first != other
    assert len(first) == 50 and len({q["id"] for q in first}) == 50


def test_no_paper_asks_about_one_sentence_twice(bank: QuizBank) -> None:
    for seed in range(8):
        paper = bank.paper(60, seed=seed)
        sentences = [q.evidence for q in paper]
        assert len(set(sentences)) == len(sentences), seed


@pytest.mark.parametrize("n", [1, 7, 18, 30, 36, 40, 42, 48, 50, 54, 60, 66, 72])
def test_exam_points_are_whole_by_kind_and_total_one_hundred(bank: QuizBank, n: int) -> None:
    questions, points = bank.exam(n, seed=n)
    assert len(questions) == n and len({q.id for q in questions}) == n
    assert set(points) == {q.kind for q in questions}
    assert all(isinstance(p, int) and p >= 1 for p in points.values())
    assert sum(points[q.kind] for q in questions) == 100
    assert max(points.values()) - min(points.values()) <= 2  # near-equal weight for every question


def test_kind_points_splits_evenly_or_says_it_cannot() -> None:
    assert kind_points({"fill": 50}) == {"fill": 2}
    split = kind_points(
        {"article": 5, "penalty": 5, "fill": 5, "truefalse": 5, "deadline": 5, "authority": 5}
    )
    assert split is not None and sum(5 * p for p in split.values()) == 100
    assert sorted(split.values()) == [3, 3, 3, 3, 4, 4]
    assert kind_points({"article": 3, "fill": 3}) is None  # 3a + 3b is never 100
    assert kind_points({"fill": 101}) is None


def test_exam_refuses_a_count_points_cannot_serve(bank: QuizBank) -> None:
    with pytest.raises(QuizError, match="1 至 100"):
        bank.exam(120, seed=1)


def test_paper_spreads_over_topics_and_kinds(bank: QuizBank) -> None:
    paper = bank.paper(50, seed=5)
    topics = {q.topic for q in paper}
    assert topics == set(bank.topics)
    assert {q.kind for q in paper} == set(KINDS)
    only = bank.paper(12, seed=5, topics=["行政处罚"])
    assert {q.topic for q in only} == {"行政处罚"} and len(only) == 12
    drill = bank.practice(seed=9, topics=["人类遗传资源"])
    assert drill.choices and drill.topic == "人类遗传资源"


def test_bad_requests_are_refused_in_chinese(bank: QuizBank) -> None:
    with pytest.raises(QuizError, match="未知的培训专题“动物检疫”"):
        bank.paper(5, seed=1, topics=["动物检疫"])
    with pytest.raises(QuizError, match="题目数量"):
        bank.paper(0, seed=1)
    with pytest.raises(QuizError, match="未知的题型"):
        bank.paper(3, seed=1, kinds=["essay"])


def test_a_fifty_question_paper_takes_well_under_two_seconds(
    corpus: tuple[Catalog, dict[ArticleRef, Article]],
) -> None:
    catalog, articles = corpus
    started = time.perf_counter()
    paper = QuizBank(catalog, articles.values()).paper(50, seed=2026)
    elapsed = time.perf_counter() - started
    assert len(paper) == 50
    assert elapsed < 2.0, f"{elapsed:.2f} s"
