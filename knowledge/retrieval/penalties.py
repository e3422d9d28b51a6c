"""Act → penalty: the liability chapters enumerate the acts they punish, one 项 (or one 款) each. A question
about the consequence of an act is matched against those enumerated acts, so that the article punishing
that very act wins over articles that merely share the topic."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.law.library import Library
from knowledge.models import Article, ArticleRef
from knowledge.retrieval.lexical import bm25_of, tokenize

LIABILITY_CHAPTER = re.compile(r"法律责任|与处罚$|罚则")
_CONSEQUENCE = re.compile(
    r"罚多少|罚款多少|(怎么|怎样|如何|什么|哪些|啥)(处罚|罚|处理|后果|责任)|罚则|被罚|会被|后果|会怎样|会怎么样"
    r"|法律责任|追究|吊销|没收|罚款(标准|幅度|额度|范围)|处罚(标准|幅度)|谁来?罚|被查(到|出)"
)
# The question is about how a penalty is decided or carried out, not about which act is punished.
_PROCEDURE = re.compile(
    r"处罚决定|决定书|听证|陈述|申辩|立案|简易程序|普通程序|管辖|时效|缴纳|执行|复议|诉讼|送达|告知|两个都罚|重复"
)
# What one should do (``该怎么处理``): a duty asked about, not the consequence of an act.
_DUTY_ASKED = re.compile(r"(?:该|应该|应当)(?:怎么|怎样|如何)(?:处理|处置)")
# Any word of penalties: the answer quotes the penalty articles enforcing the rules it cites.
_PENALTY_WORDS = re.compile(r"罚|处罚|法律责任|后果|违法|会怎样|会怎么样|怎么处理|查处")
# Words every penalty clause shares: they say nothing about which act is meant.
_SANCTION_WORDS = frozenset(
    [
        "罚",
        "罚款",
        "处罚",
        "罚多少",
        "多少钱",
        "后果",
        "法律责任",
        "责任",
        "违法",
        "处理",
        "怎么",
        "怎么样",
        "会",
        "被",
        "查处",
        "追究",
        "吊销",
        "没收",
        "警告",
    ]
)


def is_liability(article: Article) -> bool:
    """``article`` sits in a liability chapter (法律责任, 奖励与处罚, 罚则)."""
    return bool(LIABILITY_CHAPTER.search(article.chapter))


def mentions_penalty(text: str) -> bool:
    """The question speaks of penalties or liability (``该怎么处理`` asks what to do, not that)."""
    return bool(_PENALTY_WORDS.search(_DUTY_ASKED.sub("", text)))


def asks_consequence(text: str) -> bool:
    """The question is about what follows an act (its penalty or liability), not about penalty procedure."""
    return bool(_CONSEQUENCE.search(_DUTY_ASKED.sub("", text))) and not _PROCEDURE.search(text)


@dataclass(frozen=True)
class PenaltyItem:
    """One act a liability article punishes: the 项 (or the 款 itself when it has no 项)."""

    ref: ArticleRef
    paragraph: int  # 1-based
    item: int | None  # 1-based; None when the 款 names the act itself
    text: str


def liability_items(articles: dict[ArticleRef, Article]) -> Iterator[PenaltyItem]:
    for ref, article in articles.items():
        if not is_liability(article):
            continue
        for p_index, paragraph in enumerate(article.paragraphs, start=1):
            if paragraph.items:
                for i_index, item in enumerate(paragraph.items, start=1):
                    yield PenaltyItem(ref, p_index, i_index, item)
            elif paragraph.text:
                yield PenaltyItem(ref, p_index, None, paragraph.text)


class PenaltyIndex:
    """BM25 over the enumerated acts of every liability article (``context``: further text to index with
    an act, e.g. everyday phrasings of the obligation it enforces)."""

    def __init__(
        self,
        library: Library,
        context: Callable[[PenaltyItem], str] = lambda _: "",
        models: Path | None = None,
    ) -> None:
        """``models``: the folder beside the index where the BM25 statistics are kept (None: computed here)."""
        self.items = list(liability_items(library.articles))
        self._docs = np.array([item.ref.doc_id for item in self.items], dtype=str)
        self._bm25 = bm25_of([f"{item.text} {context(item)}" for item in self.items], models, "penalties")

    def best_items(self, question: str, doc_ids: set[str]) -> dict[ArticleRef, tuple[float, PenaltyItem]]:
        """Per liability article of ``doc_ids``: the score of its best-matching act and that act."""
        terms = [t for t in tokenize(question) if t not in _SANCTION_WORDS]
        allowed = np.isin(self._docs, list(doc_ids))
        best: dict[ArticleRef, tuple[float, PenaltyItem]] = {}
        for index, score in self._bm25.scores(terms, allowed).items():
            item = self.items[index]
            if score > best.get(item.ref, (0.0, item))[0]:
                best[item.ref] = (score, item)
        return best
