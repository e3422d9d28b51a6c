"""Lexical retrieval: jieba tokens (with a legal-term dictionary) scored by Okapi BM25."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from functools import cache
from pathlib import Path

import jieba

TERMS_FILE = Path(__file__).resolve().parents[1] / "data" / "legal_terms.txt"
_WORD_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "为",
        "对",
        "从",
        "把",
        "被",
        "由",
        "等",
        "其",
        "该",
        "本",
        "之",
        "以",
        "于",
        "也",
        "都",
        "就",
        "而",
        "并",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "我们",
        "你们",
        "他们",
        "什么",
        "怎么",
        "这",
        "那",
        "这个",
        "那个",
        "有",
        "没有",
        "要",
        "会",
        "能",
        "可以",
        "一个",
        "一些",
        "还",
        "又",
        "给",
        "让",
        "个",
        "些",
        "么",
        "如何",
        "怎样",
        "哪些",
        "哪个",
        "多少",
        "是否",
    ]
)


jieba.setLogLevel(logging.WARNING)  # not its start-up chatter on every process


@cache
def _tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(TERMS_FILE))
    return tokenizer


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens without punctuation and stopwords."""
    return [
        token
        for token in _tokenizer().cut_for_search(text)
        if _WORD_RE.search(token) and token not in STOPWORDS
    ]


class BM25:
    """Okapi BM25 over pre-tokenised documents."""

    def __init__(self, documents: list[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.term_freqs = [Counter(doc) for doc in documents]
        self.lengths = [len(doc) for doc in documents]
        self.avg_length = sum(self.lengths) / max(len(documents), 1)
        frequency: Counter[str] = Counter()
        for freqs in self.term_freqs:
            frequency.update(freqs.keys())
        total = len(documents)
        self.idf = {term: math.log(1 + (total - n + 0.5) / (n + 0.5)) for term, n in frequency.items()}

    def scores(self, query: list[str], allowed: set[int] | None = None) -> dict[int, float]:
        """BM25 score of every document sharing a term with ``query`` (optionally only ``allowed``)."""
        result: dict[int, float] = {}
        terms = [t for t in dict.fromkeys(query) if t in self.idf]
        for index, freqs in enumerate(self.term_freqs):
            if allowed is not None and index not in allowed:
                continue
            score = 0.0
            norm = self.k1 * (1 - self.b + self.b * self.lengths[index] / self.avg_length)
            for term in terms:
                tf = freqs.get(term)
                if tf:
                    score += self.idf[term] * tf * (self.k1 + 1) / (tf + norm)
            if score:
                result[index] = score
        return result
