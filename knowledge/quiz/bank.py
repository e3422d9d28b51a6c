"""The question bank: every question the usable articles can give, and seeded papers drawn from it.

Each candidate is checked when the bank is built (its answer occurs in its article, it has three distinct
distractors that do not occur in that article, so every choice question has four options); the seed then
picks candidates, distractors and the order of choices, so one seed always gives the same paper — in any
process: nothing hash-ordered (sets, hash-seeded dicts) decides a choice.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from knowledge.law.catalog import Catalog
from knowledge.law.citations import amendment_notice, citation_line
from knowledge.law.library import Library
from knowledge.models import Article, ArticleRef, Document
from knowledge.quiz.facts import (
    Fact,
    authority_facts,
    deadline_facts,
    key_phrases,
    names_authority,
    penalty_facts,
    rule_sentences,
    unit_of,
)
from knowledge.quiz.models import CHOICE_KINDS, KINDS, Question, QuizError
from knowledge.quiz.scoring import FULL_MARKS, kind_points
from knowledge.quiz.topics import topic_names, topic_of, usable
from knowledge.templates import text as template

CHOICE_DISTRACTORS = 3  # every choice question: the answer and three distractors
STATE_PREFIX = "中华人民共和国"  # left out of short titles, as official documents cite 《行政处罚法》
MAX_RESHARES = 30  # exam papers redrawn with the kinds' shares moved, looking for whole points
_SENTENCE_CHARS = (12, 160)
Builder = Callable[[random.Random], Question]


@dataclass(frozen=True)
class Candidate:
    """A question the bank can make; ``build`` draws its distractors and choice order from the rng."""

    kind: str
    topic: str
    ref: ArticleRef
    sentence: str  # the clause the answer is read from: a paper asks about each clause once
    build: Builder


def occurs(value: str, text: str) -> bool:
    """``value`` in ``text`` as a whole number: "二日" does not occur in "十二日"."""
    return re.search(rf"(?<![0-9一二三四五六七八九十百千万]){re.escape(value)}", text) is not None


def mask(sentence: str, value: str) -> str:
    blank = template("quiz", "blank")
    return re.sub(rf"(?<![0-9一二三四五六七八九十百千万]){re.escape(value)}", blank, sentence)


class QuizBank:
    """Candidates by topic and kind, built once from the articles of the usable documents."""

    def __init__(self, catalog: Catalog, articles: Iterable[Article]) -> None:
        self.catalog = catalog
        by_doc: dict[str, list[Article]] = {}
        for article in articles:
            by_doc.setdefault(article.doc_id, []).append(article)
        self.candidates: list[Candidate] = []
        for doc in catalog.documents:
            topic = topic_of(doc)
            if topic and usable(doc) and doc.id in by_doc:
                self._add_document(doc, topic, sorted(by_doc[doc.id], key=lambda a: a.number))

    @classmethod
    def from_library(cls, library: Library) -> QuizBank:
        """From the index snapshot's articles."""
        return cls(library.catalog, library.articles.values())

    @property
    def topics(self) -> list[str]:
        present = {c.topic for c in self.candidates}
        return [name for name in topic_names() if name in present]

    # ---- building the candidates -------------------------------------------------------------

    def _add_document(self, doc: Document, topic: str, articles: list[Article]) -> None:
        facts = {
            "penalty": [f for a in articles for f in penalty_facts(a)],
            "deadline": [f for a in articles for f in deadline_facts(a)],
            "authority": [f for a in articles for f in authority_facts(a)] if doc.status == "current" else [],
        }
        values = {kind: sorted({f.value for f in found}) for kind, found in facts.items()}
        context = _DocContext(doc, topic, amendment_notice(doc, self.catalog))
        # A text whose competent department changed after it (人遗条例: the 2024 amendment) asks nothing
        # about who is in charge or acts: its sentences naming a department are left out.
        moved = department_moved(doc)
        add = self._add
        # Authorities in true/false items: only who acts ("由……处罚"), swapped for another who acts;
        # "由国家科学技术委员会处罚" is not clearly wrong where the text says "由管理实验动物工作的部门处罚",
        # since that committee is such a department.
        # Choices likewise come from the same side: who acts, or who is in charge.
        enforcers = {f.value for f in facts["authority"] if f.enforcer}
        for kind in ("penalty", "authority", "deadline"):
            for fact in facts[kind]:
                others = _like(fact.value, values[kind], fact.article.text)
                if kind == "authority":
                    others = [v for v in others if (v in enforcers) == fact.enforcer]
                if moved and names_authority(fact.sentence):
                    continue
                if len(others) >= CHOICE_DISTRACTORS:
                    build = partial(_value_question, context, fact, others)
                    add(context, kind, fact.article, fact.sentence, build)
                if others and _fits(fact.sentence) and (kind != "authority" or fact.enforcer):
                    build = partial(_true_false, context, fact, others)
                    add(context, "truefalse", fact.article, fact.sentence, build)
        for article in articles:
            for sentence in rule_sentences(article):
                phrases = key_phrases(sentence, doc.title) if _fits(sentence) else []
                if not phrases or (moved and names_authority(sentence)):
                    continue
                add(
                    context, "fill", article, sentence, partial(_fill, context, article, sentence, phrases[0])
                )
                neighbours = _neighbours(article, articles, sentence)
                if len(neighbours) >= CHOICE_DISTRACTORS:
                    builder = partial(_which_article, context, article, sentence, phrases[0], neighbours)
                    add(context, "article", article, sentence, builder)
                break  # one sentence per article: the first that has a key phrase

    def _add(self, context: _DocContext, kind: str, article: Article, sentence: str, build: Builder) -> None:
        self.candidates.append(Candidate(kind, context.topic, article.ref, sentence, build))

    # ---- drawing a paper ---------------------------------------------------------------------

    def paper(
        self,
        n: int,
        seed: int,
        topics: Sequence[str] | None = None,
        kinds: Sequence[str] = KINDS,
        quota: Mapping[str, int] | None = None,
    ) -> list[Question]:
        """``n`` questions spread evenly over ``topics`` (all by default) and ``kinds``, in that rotation;
        ``quota`` caps the questions of each kind.

        No article gives the same kind twice and no clause two questions; QuizError when the choice leaves
        no question.
        """
        if n < 1:
            raise QuizError(template("quiz_errors", "count", n=n))
        topics = self._checked(topics, kinds)
        rng = random.Random(seed)
        pools: dict[tuple[str, str], list[Candidate]] = {}
        for candidate in self.candidates:
            if candidate.topic in topics and candidate.kind in kinds:
                pools.setdefault((candidate.topic, candidate.kind), []).append(candidate)
        for pool in pools.values():
            rng.shuffle(pool)
        if not pools:
            raise QuizError(template("quiz_errors", "empty"))
        order = [(t, k) for k in kinds for t in topics if (t, k) in pools]
        rng.shuffle(order)
        chosen: list[Question] = []
        taken: Counter[str] = Counter()
        used: set[tuple[str, ArticleRef]] = set()
        asked: set[str] = set()
        added = True
        while len(chosen) < n and added:
            added = False
            for key in order:
                pool = pools[key]
                while pool and ((pool[-1].kind, pool[-1].ref) in used or pool[-1].sentence in asked):
                    pool.pop()
                full = quota is not None and taken[key[1]] >= quota.get(key[1], 0)
                if pool and len(chosen) < n and not full:
                    candidate = pool.pop()
                    used.add((candidate.kind, candidate.ref))
                    asked.add(candidate.sentence)
                    taken[candidate.kind] += 1
                    chosen.append(candidate.build(rng))
                    added = True
        return chosen

    def exam(
        self, n: int, seed: int, topics: Sequence[str] | None = None
    ) -> tuple[list[Question], dict[str, int]]:
        """An exam paper of ``n`` questions and the whole points per question of each kind (summing to 100):
        the kinds' shares are moved a question at a time until such points exist."""
        if not 1 <= n <= FULL_MARKS:
            raise QuizError(template("quiz_errors", "exam_count", n=n, most=FULL_MARKS))
        questions = self.paper(n, seed, topics)
        tried: set[tuple[tuple[str, int], ...]] = set()
        for _ in range(MAX_RESHARES):
            counts = Counter(q.kind for q in questions)
            points = kind_points(counts)
            if points is not None:
                return questions, points
            tried.add(tuple(sorted(counts.items())))
            shifted = _shifted(counts, tried)
            if shifted is None:
                break
            drawn = self.paper(n, seed, topics, quota=shifted)
            questions = drawn if len(drawn) == n else questions
        raise QuizError(template("quiz_errors", "exam_points", n=len(questions)))

    def _checked(self, topics: Sequence[str] | None, kinds: Sequence[str]) -> list[str]:
        topics = list(topics) if topics else self.topics
        for name in topics:
            if name not in self.topics:
                raise QuizError(template("quiz_errors", "topic", topic=name, topics="、".join(self.topics)))
        for kind in kinds:
            if kind not in KINDS:
                raise QuizError(template("quiz_errors", "kind", kind=kind, kinds="、".join(KINDS)))
        return topics

    def practice(self, seed: int, topics: Sequence[str] | None = None) -> Question:
        """One multiple-choice question (for the Telegram drill)."""
        return self.paper(1, seed, topics, CHOICE_KINDS)[0]


def department_moved(doc: Document) -> bool:
    """The held text is older than an amendment that moved its competent department (the manifest's note)."""
    return doc.status != "current" and "部门" in doc.amendment_note


def _shifted(counts: Mapping[str, int], tried: set[tuple[tuple[str, int], ...]]) -> dict[str, int] | None:
    """The kinds' shares with one question moved from one kind to another (kinds in paper order), one not
    tried yet; None when every such move was tried."""
    present = [kind for kind in KINDS if counts.get(kind, 0)]
    for giver in present:
        for taker in present:
            if giver == taker or counts[giver] < 2:
                continue
            moved = {**counts, giver: counts[giver] - 1, taker: counts[taker] + 1}
            if tuple(sorted(moved.items())) not in tried:
                return dict(moved)
    return None


@dataclass(frozen=True)
class _DocContext:
    doc: Document
    topic: str
    notice: str


def _like(answer: str, values: list[str], article_text: str) -> list[str]:
    """Distractors: the law's other values absent from the article, same unit first when enough are."""
    others = [v for v in values if v != answer and not occurs(v, article_text)]
    same = [v for v in others if unit_of(v) == unit_of(answer)]
    return same if len(same) >= CHOICE_DISTRACTORS else others


def _fits(sentence: str) -> bool:
    low, high = _SENTENCE_CHARS
    return low <= len(sentence) <= high and "下列" not in sentence


def _neighbours(article: Article, articles: list[Article], sentence: str) -> list[Article]:
    """Up to three nearest articles of the same chapter, none of which also holds ``sentence``."""
    same = [a for a in articles if a.chapter == article.chapter and a.number != article.number]
    same = [a for a in same if sentence not in a.text]
    return sorted(same, key=lambda a: (abs(a.number - article.number), a.number))[:CHOICE_DISTRACTORS]


def _question(
    context: _DocContext,
    kind: str,
    article: Article,
    stem: str,
    answer: str,
    choices: Sequence[str],
    evidence: str,
) -> Question:
    return Question(
        kind=kind,
        topic=context.topic,
        question=stem,
        choices=tuple(choices),
        answer=answer,
        doc_id=article.doc_id,
        article=article.number,
        citation=citation_line(context.doc, article.number),
        text=article.text,
        evidence=evidence,
        notice=context.notice,
        source=f"《{context.doc.title.removeprefix(STATE_PREFIX)}》{article.label}",
    )


def _shuffled(rng: random.Random, answer: str, others: Sequence[str]) -> list[str]:
    picked = rng.sample(list(others), min(CHOICE_DISTRACTORS, len(others)))
    choices = [answer, *picked]
    rng.shuffle(choices)
    return choices


def _value_question(context: _DocContext, fact: Fact, others: list[str], rng: random.Random) -> Question:
    law = context.doc.title
    if fact.kind == "penalty":
        stem = template("quiz", "stems.penalty", law=law, act=fact.act)
        evidence = fact.act
    else:
        stem = template("quiz", f"stems.{fact.kind}", law=law, text=mask(fact.sentence, fact.value))
        evidence = fact.sentence
    choices = _shuffled(rng, fact.value, others)
    return _question(context, fact.kind, fact.article, stem, fact.value, choices, evidence)


def _true_false(context: _DocContext, fact: Fact, others: list[str], rng: random.Random) -> Question:
    """The clause as written (正确) or with its value swapped for another real value of the law (错误)."""
    true, false = template("quiz", "true_label"), template("quiz", "false_label")
    statement = fact.sentence
    if rng.random() < 0.5:
        statement = mask(fact.sentence, fact.value).replace(template("quiz", "blank"), rng.choice(others))
    answer = true if statement == fact.sentence else false
    stem = template("quiz", "stems.truefalse", law=context.doc.title, text=statement)
    return _question(context, "truefalse", fact.article, stem, answer, [true, false], fact.sentence)


def _fill(context: _DocContext, article: Article, sentence: str, phrase: str, rng: random.Random) -> Question:
    stem = template("quiz", "stems.fill", law=context.doc.title, text=mask(sentence, phrase))
    return _question(context, "fill", article, stem, phrase, [], sentence)


def _which_article(
    context: _DocContext,
    article: Article,
    sentence: str,
    phrase: str,
    neighbours: list[Article],
    rng: random.Random,
) -> Question:
    stem = template("quiz", "stems.article", law=context.doc.title, text=mask(sentence, phrase))
    choices = _shuffled(rng, article.label, [a.label for a in neighbours])
    return _question(context, "article", article, stem, article.label, choices, sentence)
