"""How the reports name things: domains, articles, the units of a domain."""

from __future__ import annotations

from collections.abc import Mapping

from bot.records.messages import text
from knowledge.law import domains as corpus_domains
from knowledge.law.numerals import to_chinese
from knowledge.templates import table

NO_DOMAIN = corpus_domains.NONE
MULTIPLE = "multiple"  # a session that covered several domains (counted once, under this)


def domain_label(domain: str) -> str:
    """The Chinese title of a corpus domain (unknown ones shown as such), or of MULTIPLE."""
    return text("labels.multiple_domains") if domain == MULTIPLE else corpus_domains.label(domain)


def article_label(doc_id: str, number: int, titles: Mapping[str, str]) -> str:
    """e.g. 《实验动物管理条例》第十三条; a document missing from the catalog is named as unknown."""
    doc = f"《{titles[doc_id]}》" if doc_id in titles else text("labels.unknown_document", doc_id=doc_id)
    return text("labels.article", doc=doc, number=to_chinese(number))


def unit_kind(domain: str) -> str:
    """How the report names the units of a regulated domain (e.g. 实验动物许可单位)."""
    kinds = table("outreach")["report"]["unit_kind"]
    return kinds.get(domain) or text("report.unit_kind_other", domain=domain_label(domain))


def ordered_domains(codes: set[str]) -> list[str]:
    """The regulated domains first, then the other known ones, then unknown codes, then several, then none."""
    known = corpus_domains.known()
    rank = {code: index for index, code in enumerate(known)}
    return sorted(
        codes | set(corpus_domains.REGULATED),
        key=lambda code: (code == NO_DOMAIN, code == MULTIPLE, rank.get(code, len(known)), code),
    )
