"""Exact look-ups over the indexed articles: quote an article, answer an explicit reference, list laws."""

from __future__ import annotations

import re
from typing import Protocol

from knowledge.law.catalog import Catalog
from knowledge.law.citations import (
    ARTICLE_REF_RE,
    LawMention,
    ReferenceParser,
    amendment_notice,
    chinese_date,
    citation_line,
    pick_versions,
)
from knowledge.law.numerals import to_chinese
from knowledge.law.versions import changes
from knowledge.models import Article, ArticleRef, Case, CiteResult, Document, MissingDocument, QuotedArticle
from knowledge.templates import text as template


class Holdings(Protocol):
    """What a library is read from: an index snapshot (``knowledge.index.snapshot.Snapshot``)."""

    @property
    def catalog(self) -> Catalog: ...

    @property
    def articles(self) -> tuple[Article, ...]: ...

    @property
    def cases(self) -> tuple[Case, ...]: ...


class Library:
    """The articles of one index snapshot, addressable by reference."""

    def __init__(self, snapshot: Holdings) -> None:
        self.catalog: Catalog = snapshot.catalog
        self.articles: dict[ArticleRef, Article] = {article.ref: article for article in snapshot.articles}
        self.cases: dict[str, Case] = {case.id: case for case in snapshot.cases}
        self.parser = ReferenceParser(snapshot.catalog)
        self._documents = {doc.id: doc for doc in snapshot.catalog.documents}
        self._counts: dict[str, int] = {}
        for ref in self.articles:
            self._counts[ref.doc_id] = max(self._counts.get(ref.doc_id, 0), ref.article)

    def document(self, doc_id: str) -> Document:
        return self._documents[doc_id]

    def short_citation(self, ref: ArticleRef) -> str:
        """``《标题》第N条`` (Chinese numerals), for lists and case notes."""
        return f"《{self._documents[ref.doc_id].title}》第{to_chinese(ref.article)}条"

    def quote(self, ref: ArticleRef, paragraph: int | None = None, item: int | None = None) -> QuotedArticle:
        """The article verbatim (or one 款 / 项 of it) under its full citation line."""
        article = self.articles[ref]
        doc = self._documents[ref.doc_id]
        body = article.text
        if paragraph:
            chosen = article.paragraphs[paragraph - 1]
            body = chosen.items[item - 1] if item else chosen.render()
        line = citation_line(doc, ref.article, paragraph, item)
        notice = "".join((amendment_notice(doc, self.catalog), self.change_notice(ref)))
        return QuotedArticle(ref, line, body, notice)

    def other_version(self, ref: ArticleRef) -> tuple[Document, Article] | None:
        """The same article in the previous version of the law (for the newest) or in the next one."""
        doc = self._documents[ref.doc_id]
        versions = self.catalog.versions(doc.title)
        if len(versions) < 2:
            return None
        index = versions.index(doc)
        other = versions[index - 1] if index > 0 else versions[index + 1]
        article = self.articles.get(ArticleRef(other.id, ref.article))
        return (other, article) if article else None

    def change_notice(self, ref: ArticleRef) -> str:
        """What the amendment between this version and the other one changed in this article ("" if nothing)."""
        found = self.other_version(ref)
        if found is None:
            return ""
        other, other_article = found
        this = self._documents[ref.doc_id]
        older, newer = (
            (other_article, self.articles[ref])
            if _is_newer(this, other)
            else (
                self.articles[ref],
                other_article,
            )
        )
        changed = changes(older, newer)
        newer_doc = this if _is_newer(this, other) else other
        date = chinese_date(newer_doc.version_date) if newer_doc.version_date else ""
        if not changed:  # said under the older text only: it is still the law
            return "" if this is newer_doc else template("knowledge", "version_unchanged", date=date)
        parts = "；".join(
            template("knowledge", "version_change", before=c.before or "（无）", after=c.after or "（删去）")
            for c in changed
        )
        return template("knowledge", "version_changed", date=date, changes=parts)

    def cite(self, text: str) -> CiteResult:
        """Answer an explicit reference by direct look-up, with a clear message when it cannot."""
        mention, reference = self.parser.parse(text)
        unreadable = self.parser.unreadable_number(text)
        if unreadable:
            return CiteResult(message=self.unreadable_message(unreadable, mention))
        if mention is None:
            return CiteResult(message=template("knowledge", "cite_no_law"))
        if mention.missing:
            return CiteResult(message=self.missing_message(mention.missing))
        if mention.suggestion:
            where = ARTICLE_REF_RE.search(re.sub(r"\s", "", text))
            return CiteResult(
                message=template(
                    "knowledge",
                    "cite_did_you_mean",
                    name=mention.name,
                    title=mention.suggestion,
                    where=where.group(0) if where else "",
                )
            )
        if not mention.documents:
            return CiteResult(
                message=template("knowledge", "cite_unknown_law", name=mention.name, laws=self.laws_text())
            )
        if reference is None:
            return CiteResult(
                message=template("knowledge", "cite_no_article", title=mention.documents[-1].title)
            )
        quotes: list[QuotedArticle] = []
        for doc in pick_versions(reference.documents, self.catalog, text):
            for article in reference.articles:
                problem = self._check(doc, article, reference.paragraph, reference.item)
                if problem:
                    return CiteResult(message=problem)
                quotes.append(self.quote(ArticleRef(doc.id, article), reference.paragraph, reference.item))
        return CiteResult(tuple(quotes))

    def unreadable_message(self, where: str, mention: LawMention | None) -> str:
        """无法识别的条文序号 ``where``, with an example of a number we read."""
        known = mention.documents[-1].title if mention and mention.documents else ""
        hint = (
            template("knowledge", "cite_no_article", title=known)
            if known
            else template("knowledge", "cite_no_law")
        )
        return template("knowledge", "cite_bad_number", where=where, hint=hint)

    def _check(self, doc: Document, number: int, paragraph: int | None, item: int | None) -> str:
        article = self.articles.get(ArticleRef(doc.id, number))
        if article is None:
            return template(
                "knowledge",
                "cite_out_of_range",
                title=doc.title,
                count=self._counts.get(doc.id, 0),
                article=number,
            )
        if paragraph and paragraph > len(article.paragraphs):
            return template(
                "knowledge",
                "cite_no_paragraph",
                citation=citation_line(doc, number),
                count=len(article.paragraphs),
                paragraph=to_chinese(paragraph),
            )
        if paragraph and item and item > len(article.paragraphs[paragraph - 1].items):
            return template(
                "knowledge",
                "cite_no_item",
                citation=citation_line(doc, number, paragraph),
                item=to_chinese(item),
            )
        return ""

    def related_laws(self, missing: MissingDocument) -> list[str]:
        """《titles》 of the laws in force that we do have, in the missing document's domains."""
        current = self.catalog.competing_ids()
        return [
            f"《{doc.title}》"
            for doc in self.catalog.documents
            if set(doc.domains) & set(missing.domains) and doc.id in current
        ]

    def missing_message(self, missing: MissingDocument) -> str:
        related = self.related_laws(missing)
        hint = template("knowledge", "cite_missing_hint", laws="、".join(related)) if related else ""
        number = f"（{missing.doc_number}）" if missing.doc_number else ""
        return template(
            "knowledge", "cite_missing", title=missing.title, issuer=missing.issuer, number=number, hint=hint
        )

    def laws_text(self) -> str:
        """Every document with version and status, then the missing ones."""
        lines = [template("knowledge", "laws_heading")]
        for doc in self.catalog.documents:
            version = f"（{chinese_date(doc.version_date)}版本）" if doc.version_date else ""
            status = template("knowledge", "status_current" if doc.status == "current" else "status_amended")
            lines.append(
                template(
                    "knowledge",
                    "law_line",
                    title=doc.title,
                    version=version,
                    status=status,
                    level=doc.level,
                    id=doc.id,
                )
            )
        if self.catalog.missing:
            lines.append(template("knowledge", "missing_heading"))
            for missing in self.catalog.missing:
                number = f"（{missing.doc_number}）" if missing.doc_number else ""
                lines.append(
                    template(
                        "knowledge", "missing_line", title=missing.title, issuer=missing.issuer, number=number
                    )
                )
        return "\n".join(lines)


def _is_newer(doc: Document, other: Document) -> bool:
    return (doc.version_date or doc.effective) > (other.version_date or other.effective)  # type: ignore[operator]
