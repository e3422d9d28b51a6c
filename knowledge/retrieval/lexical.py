"""Lexical retrieval: jieba tokens (with a legal-term dictionary) scored by Okapi BM25."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from functools import cache, lru_cache
from pathlib import Path

import jieba
import numpy as np

from knowledge.index.derived import fingerprint, kept, source_of
from knowledge.retrieval.dictionary import stored_frequencies

TERMS_FILE = Path(__file__).resolve().parents[1] / "data" / "legal_terms.txt"
# Texts whose tokens are remembered: one answer tokenises its question (and the question with its legal terms)
# in several places; a few answers' worth, not a cache of questions.
RECENT_TEXTS = 16
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


_ON_DEMAND: list[Path] = []  # the folder of jieba's stored dictionary, when this process reads it on demand


def read_dictionary_on_demand(folder: Path) -> None:
    """Let this process's tokenizer read jieba's dictionary word by word from its copy in ``folder``
    (dictionary.py) instead of loading it whole; no effect once it has tokenised."""
    if _tokenizer.cache_info().currsize == 0:
        _ON_DEMAND[:] = [folder]


@cache
def _tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    if _ON_DEMAND:
        tokenizer.FREQ, tokenizer.total = stored_frequencies(_ON_DEMAND[0])
        tokenizer.initialized = True
    tokenizer.load_userdict(str(TERMS_FILE))
    return tokenizer


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens without punctuation and stopwords."""
    return list(_tokens(text))


@lru_cache(maxsize=RECENT_TEXTS)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(
        token
        for token in _tokenizer().cut_for_search(text)
        if _WORD_RE.search(token) and token not in STOPWORDS
    )


class BM25:
    """Okapi BM25 over pre-tokenised documents. A term's weight in a document does not depend on the query:
    it is computed once, and a query adds up its terms' weights with numpy."""

    def __init__(self, documents: list[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        term_freqs = [Counter(doc) for doc in documents]
        lengths = [len(doc) for doc in documents]
        avg_length = sum(lengths) / max(len(documents), 1)
        frequency: Counter[str] = Counter()
        for freqs in term_freqs:
            frequency.update(freqs.keys())
        total = len(documents)
        idf = {term: math.log(1 + (total - n + 0.5) / (n + 0.5)) for term, n in frequency.items()}
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for index, freqs in enumerate(term_freqs):
            norm = k1 * (1 - b + b * lengths[index] / avg_length)
            for term, tf in freqs.items():
                docs, weights = postings.setdefault(term, ([], []))
                docs.append(index)
                weights.append(idf[term] * tf * (k1 + 1) / (tf + norm))
        self.size = total
        self._postings = {
            term: (np.array(docs, dtype=np.int64), np.array(weights, dtype=np.float64))
            for term, (docs, weights) in postings.items()
        }

    def scores(self, query: list[str], allowed: np.ndarray | None = None) -> dict[int, float]:
        """BM25 score of every document sharing a term with ``query`` (optionally only those ``allowed``, a
        mask), in document order."""
        total = np.zeros(self.size)
        for term in dict.fromkeys(query):  # each term once, in query order
            posting = self._postings.get(term)
            if posting is not None:
                total[posting[0]] += posting[1]
        found = total != 0
        if allowed is not None:
            found &= allowed
        return {int(i): float(total[i]) for i in np.flatnonzero(found)}

    def save(self, path: Path) -> None:
        terms = list(self._postings)
        sizes = [len(self._postings[t][0]) for t in terms]
        np.savez(
            path,
            size=np.array(self.size),
            terms=np.array(terms, dtype=str),
            offsets=np.cumsum([0, *sizes]),
            docs=np.concatenate([self._postings[t][0] for t in terms] or [np.zeros(0, np.int64)]),
            weights=np.concatenate([self._postings[t][1] for t in terms] or [np.zeros(0)]),
        )

    @classmethod
    def load(cls, path: Path) -> BM25:
        with np.load(path, allow_pickle=False) as data:
            offsets, docs, weights = data["offsets"].tolist(), data["docs"], data["weights"]
            bm25 = cls.__new__(cls)
            bm25.size = int(data["size"])
            bm25._postings = {
                str(term): (docs[offsets[i] : offsets[i + 1]], weights[offsets[i] : offsets[i + 1]])
                for i, term in enumerate(data["terms"].tolist())
            }
        return bm25


def bm25_of(texts: list[str], folder: Path | None, name: str) -> BM25:
    """BM25 over the tokens of ``texts``, kept in ``folder`` (beside the index) under ``name``: tokenising a
    corpus takes seconds, loading its statistics milliseconds."""
    key = fingerprint([*source_of(__file__, TERMS_FILE), jieba.__version__, *texts])
    return kept(
        folder,
        f"bm25-{name}-",
        ".npz",
        key,
        lambda: BM25([tokenize(text) for text in texts]),
        BM25.save,
        BM25.load,
    )
