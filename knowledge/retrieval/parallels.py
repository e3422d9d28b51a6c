"""Parallel provisions: a regulation often restates, 款 by 款, a rule of the law above it in the same field
(人类遗传资源管理条例 and 生物安全法's chapter on 人类遗传资源, their liability clauses). An answer citing one
of them cites the other too when the question concerns it as well.

The pairs are derived from the corpus once, when the library is loaded: two articles of different laws
are parallel when they share a domain, stand at different levels of the hierarchy (a law and a
regulation: two laws of one level only share formulae, e.g. 行政处罚法 and 行政许可法), are of the same kind
(both liability clauses, or neither) and one 款 or 项 of each says nearly the same thing — measured by the
IDF-weighted cosine of their character bigrams, so that a changed authority (科学技术行政部门 →
卫生健康主管部门) or a word order does not hide a restated rule."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations
from pathlib import Path

from knowledge.index.derived import fingerprint, kept, source_of
from knowledge.law.library import Library
from knowledge.models import Article, ArticleRef
from knowledge.retrieval.penalties import is_liability

_HAN = re.compile(r"[^\u4e00-\u9fff]")
# The authority a rule names (国务院科学技术行政部门, 国务院卫生健康主管部门): reorganisations rename it in one
# text and not the other, so only its level is compared.
_AUTHORITY = re.compile(r"(国务院|人民政府)[\u4e00-\u9fff]{2,8}?(?:行政|主管)部门")
_SANCTION = re.compile(r"的，(由|依照|依法).*$", re.S)  # what follows the act in a liability clause
MIN_UNIT_CHARS = 12  # shorter 款 (``本条例自…起施行。``) are formulae, not rules


@dataclass(frozen=True)
class Unit:
    """One 款, or one 项 read with the lead of its 款 (``从事下列活动，应当经…批准：（三）…``)."""

    ref: ArticleRef
    text: str


@dataclass(frozen=True)
class Parallel:
    """A 款/项 of one article (``unit``) restated by a 款/项 of another (``other``)."""

    unit: Unit
    other: Unit
    similarity: float

    @property
    def ref(self) -> ArticleRef:
        return self.other.ref


def units(article: Article) -> Iterator[Unit]:
    """The 款 and 项 of ``article``; of a liability clause, only the acts it punishes (its sanctions are
    alike across all the clauses of a field)."""
    liability = is_liability(article)
    for paragraph in article.paragraphs:
        if paragraph.items:
            lead = "" if liability else paragraph.text
            if len(_HAN.sub("", lead)) >= MIN_UNIT_CHARS:
                yield Unit(article.ref, lead)  # a rule of its own (``…应当符合下列条件，并经…批准：``)
            for item in paragraph.items:
                yield Unit(article.ref, f"{lead}{item}")
        elif len(_HAN.sub("", paragraph.text)) >= MIN_UNIT_CHARS:
            yield Unit(article.ref, _SANCTION.sub("", paragraph.text) if liability else paragraph.text)


def bigrams(text: str) -> set[str]:
    han = _HAN.sub("", _AUTHORITY.sub(r"\1部门", text))
    return {han[i : i + 2] for i in range(len(han) - 1)}


Pairs = dict[ArticleRef, dict[tuple[Unit, ArticleRef], Parallel]]  # per article: (its 款/项, other article)


class ParallelProvisions:
    """The parallel 款/项 among the articles of the library (each version of a law on its own), paired when
    their similarity reaches ``threshold``. Pairing compares every 款/项 with those of the other laws (seconds):
    the pairs are kept in ``models`` (beside the index) when given, keyed by what they are computed from."""

    def __init__(self, library: Library, threshold: float, models: Path | None = None) -> None:
        by_doc: dict[str, list[Unit]] = {}
        for ref, article in library.articles.items():
            by_doc.setdefault(ref.doc_id, []).extend(units(article))
        liability = {ref: is_liability(article) for ref, article in library.articles.items()}
        self._all = list(dict.fromkeys(unit for doc_units in by_doc.values() for unit in doc_units))
        self._units: dict[ArticleRef, list[Unit]] = {unit.ref: [] for unit in self._all}
        for unit in self._all:
            self._units[unit.ref].append(unit)
        documents = [library.document(doc_id) for doc_id in sorted(by_doc)]
        key = fingerprint(
            [
                *source_of(__file__),
                repr(threshold),
                *(f"{d.id}\0{d.title}\0{d.level}\0{','.join(d.domains)}" for d in documents),
                *(f"{u.ref.doc_id}\0{u.ref.article}\0{liability[u.ref]}\0{u.text}" for u in self._all),
            ]
        )
        self._pairs = kept(
            models,
            "parallels-",
            ".json",
            key,
            lambda: self._paired(library, by_doc, liability, threshold),
            _save_pairs,
            _load_pairs,
        )

    @cached_property
    def _weights(self) -> tuple[dict[Unit, set[str]], dict[str, float], dict[Unit, float]]:
        """The bigrams of every 款/项, their IDF and each 款/项's norm: computed when first needed (a process
        that loaded the pairs needs them only for a question about an article that has parallels)."""
        grams = {unit: bigrams(unit.text) for unit in self._all}
        frequency = Counter(gram for unit_grams in grams.values() for gram in unit_grams)
        idf = {gram: math.log(len(grams) / count) for gram, count in frequency.items()}
        norm = {
            unit: math.sqrt(sum(idf[g] ** 2 for g in unit_grams)) or 1.0 for unit, unit_grams in grams.items()
        }
        return grams, idf, norm

    def _paired(
        self,
        library: Library,
        by_doc: dict[str, list[Unit]],
        liability: dict[ArticleRef, bool],
        threshold: float,
    ) -> Pairs:
        pairs: Pairs = {}
        for first, second in combinations(sorted(by_doc), 2):
            a, b = library.document(first), library.document(second)
            if a.title == b.title or a.level == b.level or not set(a.domains) & set(b.domains):
                continue
            for one, other in ((first, second), (second, first)):
                for unit in by_doc[one]:  # each 款/项 is restated (if at all) by its closest counterpart
                    best, similarity = max(
                        (
                            (o, self._cosine(unit, o))
                            for o in by_doc[other]
                            if liability[o.ref] == liability[unit.ref]
                        ),
                        key=lambda pair: pair[1],
                        default=(unit, 0.0),
                    )
                    if similarity >= threshold:
                        _keep(pairs, unit, best, similarity)
                        _keep(pairs, best, unit, similarity)
        return pairs

    def _cosine(self, a: Unit, b: Unit) -> float:
        grams, idf, norm = self._weights
        shared = grams[a] & grams[b]
        if not shared:
            return 0.0
        return sum(idf[g] ** 2 for g in shared) / (norm[a] * norm[b])

    def of(self, ref: ArticleRef) -> list[Parallel]:
        """The 款/项 of ``ref`` restated in other articles, closest first."""
        return sorted(self._pairs.get(ref, {}).values(), key=lambda p: p.similarity, reverse=True)

    def restated(self, text: str, ref: ArticleRef, ratio: float) -> list[Parallel]:
        """The parallels of the 款/项 of ``ref`` that the question ``text`` is about: those it speaks of
        (nearly, by ``ratio``) as much as of any 款/项 of ``ref``."""
        parallels = self.of(ref)
        if not parallels:
            return []
        top = max(self.relevance(text, unit) for unit in self._units[ref])
        if not top:  # nothing in common with the text (a question in English): the closest restatement
            return parallels[:1]
        return [p for p in parallels if self.relevance(text, p.unit) >= top * ratio]

    def relevance(self, text: str, unit: Unit) -> float:
        """How much of ``unit`` the question ``text`` speaks of (IDF-weighted share of its bigrams)."""
        grams, idf, norm = self._weights
        shared = bigrams(text) & grams[unit]
        return sum(idf.get(g, 0.0) ** 2 for g in shared) / norm[unit] ** 2


def _keep(pairs: Pairs, unit: Unit, other: Unit, similarity: float) -> None:
    known = pairs.setdefault(unit.ref, {})
    key = (unit, other.ref)
    if key not in known or similarity > known[key].similarity:
        known[key] = Parallel(unit, other, similarity)


def _save_pairs(pairs: Pairs, path: Path) -> None:
    """In the order found (ties among equally similar parallels keep it)."""
    rows = [
        [
            p.unit.ref.doc_id,
            p.unit.ref.article,
            p.unit.text,
            p.other.ref.doc_id,
            p.other.ref.article,
            p.other.text,
            p.similarity,
        ]
        for known in pairs.values()
        for p in known.values()
    ]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def _load_pairs(path: Path) -> Pairs:
    pairs: Pairs = {}
    try:
        for unit_doc, unit_article, unit_text, other_doc, other_article, other_text, similarity in json.loads(
            path.read_text(encoding="utf-8")
        ):
            unit = Unit(ArticleRef(unit_doc, int(unit_article)), unit_text)
            other = Unit(ArticleRef(other_doc, int(other_article)), other_text)
            pairs.setdefault(unit.ref, {})[(unit, other.ref)] = Parallel(unit, other, float(similarity))
    except TypeError as exc:  # not the layout written above
        raise ValueError(f"{path}: {exc}") from exc
    return pairs
