"""An article counts under the subject it names, not its whole document (real corpus library)."""

from __future__ import annotations

from bot.records.subjects import article_subjects
from bot.records.turns.answer import subject_domains
from knowledge.assistant import Assistant
from knowledge.models import Answer, ArticleRef


def _articles_naming(assistant: Assistant, doc_id: str, phrase: str, other: str) -> list[ArticleRef]:
    return [
        ref
        for ref, article in assistant.library.articles.items()
        if ref.doc_id == doc_id and phrase in article.text and other not in article.text
    ]


def test_biosecurity_law_articles_count_under_their_subject(assistant: Assistant) -> None:
    library = assistant.library
    genetic = _articles_naming(assistant, "biosecurity-law-2024", "人类遗传资源", "实验动物")
    animals = _articles_naming(assistant, "biosecurity-law-2024", "实验动物", "人类遗传资源")
    assert genetic and animals, "the corpus has articles of each subject in 生物安全法"
    assert all(article_subjects(library, ref) == {"human_genetic_resources"} for ref in genetic)
    assert all(article_subjects(library, ref) == {"lab_animals"} for ref in animals)
    general = _articles_naming(assistant, "biosecurity-law-2024", "生物安全", "人类遗传资源")
    general = [ref for ref in general if "实验动物" not in library.articles[ref].text]
    assert general and "biosafety" in article_subjects(library, general[0])

    answer = Answer(
        question="采集人类遗传资源要审批吗",
        conclusion="需要",
        basis=[library.quote(genetic[0])],
        domains=["biosafety", "human_genetic_resources", "lab_animals"],  # by document
    )
    assert subject_domains(library, answer) == ("human_genetic_resources",)
    declined = Answer(question="今天天气", conclusion="", declined=True, domains=[])
    assert subject_domains(library, declined) == ()
