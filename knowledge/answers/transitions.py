"""Which version of a law answers a question about versions: an act done before a change of law and handled
after it (从旧兼从轻), a question comparing two versions, a rule whose law was amended after the text we hold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from knowledge.law.citations import LawMention, chinese_date, citation_line
from knowledge.law.library import Library
from knowledge.law.versions import act_and_handling, concerns_amendment, law_changes
from knowledge.models import ArticleRef, Document, Hit
from knowledge.retrieval.penalties import is_liability
from knowledge.retrieval.retriever import Retriever
from knowledge.templates import text as template

TRANSITION_RULE_TEXT = "适用违法行为发生时的法律"  # 行政处罚法's rule on acts done before a change of law
_COMMENCEMENT = re.compile(r"自.{0,16}起施行")  # a law's article on when it took effect


@dataclass(frozen=True)
class VersionTuning:
    """How questions about a law's versions are answered (tuned on the version questions of all sets)."""

    act_hit_depth: int = 5  # an act handled after a change of law: its penalty article among this many hits
    max_basis: int = 1  # articles of an earlier version (or of the time) asked about that answer the question


class Transitions:
    """The articles and notices that answer questions straddling versions of a law."""

    def __init__(
        self, library: Library, retriever: Retriever, tuning: VersionTuning = VersionTuning()
    ) -> None:
        self.library = library
        self.retriever = retriever
        self.tuning = tuning
        self.rule = next(
            (ref for ref, article in library.articles.items() if TRANSITION_RULE_TEXT in article.text), None
        )
        self._changes = law_changes(library.catalog.documents)

    def changes_of(self, mention: LawMention | None) -> tuple[date, ...]:
        """When the law a question names (or, naming none, any law we hold) came into force or changed."""
        return law_changes(mention.documents) if mention and mention.documents else self._changes

    def applies(self, text: str, mention: LawMention | None) -> bool:
        """``text`` asks about an act done before a change of law and handled after it."""
        return self.rule is not None and concerns_amendment(text, self.changes_of(mention))

    def acts(self, hits: list[Hit], basis: list[ArticleRef]) -> list[ArticleRef]:
        """The articles on the act a question about a change of law describes: the article punishing it, else
        the basis articles outside the transition rule's own law."""
        act = self._act_article(hits)
        return [act] if act else [ref for ref in basis if not self.rule or ref.doc_id != self.rule.doc_id]

    def _act_article(self, hits: list[Hit]) -> ArticleRef | None:
        """The article punishing the act a question about a change of law describes: a liability article
        among the hits (of the versions in force when the act was done), one of a law changed since then
        (both texts can be compared) before the first among the top hits."""
        liable = [
            hit.ref
            for hit in hits
            if self.rule
            and hit.ref.doc_id != self.rule.doc_id
            and is_liability(self.library.articles[hit.ref])
        ]
        changed = [
            ref for ref in liable if self.library.catalog.newer_version(self.library.document(ref.doc_id))
        ]
        top = {hit.ref for hit in hits[: self.tuning.act_hit_depth]}
        return next(iter(changed), None) or next((ref for ref in liable if ref in top), None)

    def answer(
        self, text: str, mention: LawMention | None, acts: list[ArticleRef]
    ) -> tuple[list[ArticleRef], list[str]]:
        """An act done before a change of law and handled after it (从旧兼从轻): the rule, the act's articles
        in the version in force when it was done and in the one in force when it is handled (the lighter
        applies); when the law named was not yet in force at the act's time, its article on when it took
        effect."""
        assert self.rule is not None
        done, handled = act_and_handling(text)
        then = [self.version_at(ref, done) for ref in acts] if done else acts
        refs = [self.rule, *then, *(self.version_at(ref, handled or date.today()) for ref in then)]
        rule = re.sub(
            r"》（[^）]*）", "》", citation_line(self.library.document(self.rule.doc_id), self.rule.article)
        )
        notices = [template("answers", "from_old_lighter_notice", rule=rule)]
        first = mention.documents[0] if mention and mention.documents else None
        if done and first and first.effective and done < first.effective:
            start = self._commencement(first)
            refs += [start] if start else []
            notices.append(
                template(
                    "answers",
                    "not_yet_in_force_notice",
                    title=first.title,
                    date=chinese_date(first.effective),
                )
            )
        return list(dict.fromkeys(refs)), notices

    def current_elsewhere(self, refs: list[ArticleRef]) -> list[ArticleRef]:
        """For articles of a law amended since, whose amended text we do not hold, asked whether they still
        hold: the article of another law in force that answers the question best (the rule as it is now)."""
        laws = {self.library.document(ref.doc_id) for ref in refs}
        if not any(doc.status == "amended" and not self.library.catalog.newer_version(doc) for doc in laws):
            return []
        titles = {doc.title for doc in laws}
        rules = "".join(self.library.articles[ref].text for ref in refs)
        hits = self.retriever.search(rules, self.tuning.act_hit_depth)
        found = next(
            (hit.ref for hit in hits if self.library.document(hit.ref.doc_id).title not in titles), None
        )
        return [found] if found else []

    def version_at(self, ref: ArticleRef, day: date) -> ArticleRef:
        """The article ``ref`` in the version of its law in force on ``day`` (the first, if none was yet)."""
        versions = self.library.catalog.versions(self.library.document(ref.doc_id).title)
        in_force = [doc for doc in versions if doc.effective is None or doc.effective <= day] or versions[:1]
        found = ArticleRef(in_force[-1].id, ref.article)
        return found if found in self.library.articles else ref

    def other_versions(self, refs: list[ArticleRef]) -> list[ArticleRef]:
        """The same articles in the other version of their law (a question comparing the versions)."""
        found = (self.library.other_version(ref) for ref in refs)
        others = [ArticleRef(doc.id, article.ref.article) for doc, article in filter(None, found)]
        return [ref for ref in dict.fromkeys(others) if ref not in refs]

    def _commencement(self, doc: Document) -> ArticleRef | None:
        """The article of ``doc`` saying when it takes effect (``本法自……起施行``)."""
        return next(
            (
                ref
                for ref, article in sorted(self.library.articles.items(), reverse=True)
                if ref.doc_id == doc.id and _COMMENCEMENT.search(article.text)
            ),
            None,
        )
