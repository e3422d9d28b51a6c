"""The domain(s) an article counts under in the records: the subject it names, not its whole document.

生物安全法 covers biosafety, laboratory animals and human genetic resources; its articles on human genetic
resources count as 人类遗传资源 only, so that a session or a question on them is not counted three times.
"""

from __future__ import annotations

from knowledge.law.library import Library
from knowledge.law.obligations import DOMAIN_SUBJECTS, article_domains
from knowledge.models import ArticleRef


def article_subjects(library: Library, ref: ArticleRef) -> set[str]:
    """The regulated subjects the article names (实验动物, 人类遗传资源), else its document's domains."""
    domains = article_domains(library, ref)
    named = {domain for domain in domains if domain in DOMAIN_SUBJECTS}
    return named or domains
