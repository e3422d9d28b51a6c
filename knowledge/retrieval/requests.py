"""What kind of request a question is: one pufa serves, or one of the kinds it declines whatever the topic —
instructions smuggled into a question, help to evade the law, records it does not hold, other subjects.

Two layers: the patterns of ``scope.toml`` (exact forms, e.g. "翻译", "系统提示词"), then a logistic regression
over character n-grams learned from labelled examples (``requests.toml``: what is declined and, written beside
it on the same topics, what is served). Character n-grams carry the form of a request (看不出来, 倒签, 加班费)
into phrasings no pattern lists. The layer is fitted at ingest and kept beside the index, keyed by a hash of
its examples and tuning; a process loads it (a changed example or tuning refits it once).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zlib
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np

from knowledge.law.curated import RequestExample, request_examples, unserved_requests
from knowledge.retrieval.bank import SELF_REPORT_VOICE, bank_questions

SERVED = "serve"
SELF_REPORT = SELF_REPORT_VOICE  # served: a person admitting a past or ongoing failing, asking what to do now
SERVED_KINDS = frozenset({SERVED, SELF_REPORT})
# Asking for the remedy of something already done (补救, 补办, 来得及, 主动报告): a self-report by its form.
_ASKS_REMEDY = re.compile(r"补救|补办|补手续|补报|来得及|主动(报告|上报|说明|交代)|自查(发现|出)")
# Kinds judged by what is asked, not by the situation told before it: a long question may tell of a superior's
# instruction, a cost-cutting plan or an article being written, and still ask only what the rule is.
ASK_JUDGED = frozenset({"evasion", "writing"})
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]*")
_QUESTION_END = re.compile(r"[？?]\s*$")
# An ask that enlists pufa in the plan told before it (帮我想想, 你觉得怎么写, 设计个方案): the plan is the request.
_ENLISTS = re.compile(
    r"(帮|替|给)(我|我们)|你(帮|给|替|来|觉得|看|想|说)|设计|方案|(怎么|如何|怎样)(写|说|弄|安排|操作|包装|拆)"
)
OFF_TOPIC = (
    "out_of_scope"  # a verdict on the topic (not the form) of a request: retrieval evidence may overrule it
)


@dataclass(frozen=True)
class RequestTuning:
    """Parameters of the learned layer, chosen on the evaluation sets already seen, as a whole (``pufa eval
    --answers``): the threshold keeps false declines near zero there (0.7 since the bank's ~1,700 served
    questions joined the examples: 0.8 then let a quarter of the declined kinds through)."""

    ngram_range: tuple[int, int] = (1, 3)
    features: int = 1 << 16  # hashed n-gram buckets
    regularisation: float = 64.0  # inverse strength (scikit-learn's C)
    decline_probability: float = 0.7  # decline when the declined kinds together are at least this likely
    self_report_probability: float = 0.25  # a self-report when at least this likely (the class is small)
    # A question whose topic is outside the remit at least this likely (though not surely) leans outside: the
    # retrieval evidence must then place it clearly in the remit (``ScopeThresholds.leaning_margin``).
    off_topic_lean: float = 0.4


def training_examples() -> tuple[RequestExample, ...]:
    """The curated labelled requests and every question of the bank, served (the bank's self-reports as
    their own served kind)."""
    bank = (
        RequestExample(SELF_REPORT if q.voice == SELF_REPORT_VOICE else SERVED, q.question)
        for q in bank_questions()
    )
    return (*request_examples(), *bank)


def asked_part(text: str) -> str:
    """What ``text`` asks: from its closing run of sentences that end in a question mark to its end (its last
    sentence when none does), without the situation told before it."""
    sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    questions = [i for i, sentence in enumerate(sentences) if _QUESTION_END.search(sentence)]
    start = questions[-1] if questions else len(sentences) - 1
    while start > 0 and _QUESTION_END.search(sentences[start - 1]):
        start -= 1
    return "".join(sentences[start:]) if start > 0 else text


def hashed_ngrams(text: str, tuning: RequestTuning) -> tuple[np.ndarray, np.ndarray]:
    """The character n-grams of ``text`` (lower-cased, spaces collapsed) as hashed buckets and their
    L2-normalised counts."""
    compact = " ".join(text.lower().split())
    counts: dict[int, float] = {}
    low, high = tuning.ngram_range
    for n in range(low, high + 1):
        for i in range(len(compact) - n + 1):
            bucket = zlib.crc32(compact[i : i + n].encode()) % tuning.features
            counts[bucket] = counts.get(bucket, 0.0) + 1.0
    buckets = np.fromiter(counts, dtype=np.int64, count=len(counts))
    values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    norm = float(np.linalg.norm(values)) or 1.0
    return buckets, values / norm


class RequestClassifier:
    """The kind of request a question is (``None``: one pufa serves). Fitted with scikit-learn; applied with
    numpy alone (a process that loads a fitted layer never imports scikit-learn)."""

    def __init__(
        self, classes: tuple[str, ...], weights: np.ndarray, bias: np.ndarray, tuning: RequestTuning
    ) -> None:
        self.classes = classes
        self.weights = weights  # (kinds, buckets)
        self.bias = bias
        self.tuning = tuning

    @classmethod
    def fit(
        cls, examples: tuple[RequestExample, ...] | None = None, tuning: RequestTuning = RequestTuning()
    ) -> RequestClassifier:
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression

        examples = training_examples() if examples is None else examples
        rows, columns, values = [], [], []
        for row, example in enumerate(examples):
            buckets, weights = hashed_ngrams(example.text, tuning)
            rows += [row] * len(buckets)
            columns += buckets.tolist()
            values += weights.tolist()
        matrix = csr_matrix((values, (rows, columns)), shape=(len(examples), tuning.features))
        # saga fits the ~4,400 sparse examples in a fraction of a second (lbfgs takes seconds). Served
        # examples outnumber each declined kind several times over: classes are weighted to balance them,
        # else a question rich in the remit's words is served whatever it asks (绕开备案又不留痕迹).
        model = LogisticRegression(
            C=tuning.regularisation,
            solver="saga",
            max_iter=300,
            tol=1e-3,
            random_state=0,
            class_weight="balanced",
        )
        model.fit(matrix, [e.kind for e in examples])
        weights, bias = model.coef_, model.intercept_
        if len(model.classes_) == 2:  # one logit (of the second class): as a softmax over (0, logit)
            weights, bias = np.vstack([np.zeros_like(weights), weights]), np.array([0.0, bias[0]])
        return cls(
            tuple(str(c) for c in model.classes_), weights.astype(np.float32), bias.astype(np.float64), tuning
        )

    def save(self, path: Path) -> None:
        """Atomically: a temporary file, then rename."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
        np.savez(tmp, classes=np.array(self.classes), weights=self.weights, bias=self.bias)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, tuning: RequestTuning) -> RequestClassifier:
        with np.load(path, allow_pickle=False) as data:
            classes = tuple(str(c) for c in data["classes"])
            return cls(classes, data["weights"], data["bias"], tuning)

    def probabilities(self, text: str) -> dict[str, float]:
        """Each kind's probability for ``text`` (the multinomial model's softmax)."""
        buckets, values = hashed_ngrams(text, self.tuning)
        scores = self.weights[:, buckets].astype(np.float64) @ values + self.bias
        scores = np.exp(scores - scores.max())
        shares = scores / scores.sum()
        return {kind: float(p) for kind, p in zip(self.classes, shares, strict=True)}

    def kind(self, text: str, learned: bool = True) -> str | None:
        """The declined kind ``text`` is, by its form (patterns) or, if ``learned``, by the learned layer;
        None if served. A kind judged by what is asked (help to evade, writing) stands only when the question's
        closing ask is of that kind too, or enlists pufa in the plan told before it."""
        found = self._kind(text, learned)
        asked = asked_part(text)
        if found in ASK_JUDGED and asked != text and not _ENLISTS.search(asked):
            again = self._kind(asked, learned)
            # The topic is judged on the whole text, which the learned layer did not place outside the remit:
            # a closing ask alone (光有所长口头同意，能让他进去吗) is too short to overturn that.
            return None if again == OFF_TOPIC else again
        return found

    def _kind(self, text: str, learned: bool) -> str | None:
        matched = next((r.name for r in unserved_requests() if r.pattern.search(text)), None)
        if matched or not learned:
            return matched
        probabilities = self.probabilities(text)
        served = sum(probabilities.get(k, 0.0) for k in SERVED_KINDS)
        if 1.0 - served < self.tuning.decline_probability:
            return None
        return max((k for k in probabilities if k not in SERVED_KINDS), key=probabilities.__getitem__)

    def leans_off_topic(self, text: str) -> bool:
        """Whether ``text``'s topic is, by the learned layer, likely enough outside the remit that the retrieval
        evidence must clearly place it inside."""
        return self.probabilities(text).get(OFF_TOPIC, 0.0) >= self.tuning.off_topic_lean

    def admits_failing(self, text: str) -> bool:
        """Whether ``text`` admits a past or ongoing failing (a self-report, served with the remedy and the
        mitigation the law grants)."""
        if _ASKS_REMEDY.search(text):
            return True
        return self.probabilities(text).get(SELF_REPORT, 0.0) >= self.tuning.self_report_probability


MODEL_PREFIX = "requests-"
MODEL_FORMAT = 2  # bump when the features or the saved layout change


def _fingerprint(examples: tuple[RequestExample, ...], tuning: RequestTuning) -> str:
    key = json.dumps([MODEL_FORMAT, asdict(tuning), [(e.kind, e.text) for e in examples]], ensure_ascii=False)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


_FITS: dict[str, RequestClassifier] = {}


def _fitted(
    fingerprint: str, examples: tuple[RequestExample, ...], tuning: RequestTuning
) -> RequestClassifier:
    """Fitted once per process for the same examples and tuning (a fit takes seconds of CPU): a process that
    ingests into several data folders saves the same layer into each."""
    if fingerprint not in _FITS:
        _FITS[fingerprint] = RequestClassifier.fit(examples, tuning)
    return _FITS[fingerprint]


@cache
def request_classifier(folder: Path | None = None) -> RequestClassifier:
    """The classifier of the curated examples: loaded from ``folder`` (beside the index) when fitted there on
    the same examples and tuning, else fitted (and kept in ``folder`` if given)."""
    examples, tuning = training_examples(), RequestTuning()
    fingerprint = _fingerprint(examples, tuning)
    if folder is None:
        return _fitted(fingerprint, examples, tuning)
    path = folder / f"{MODEL_PREFIX}{fingerprint}.npz"
    try:
        return RequestClassifier.load(path, tuning)
    except (OSError, KeyError, ValueError):
        pass
    classifier = _fitted(fingerprint, examples, tuning)
    folder.mkdir(parents=True, exist_ok=True)
    classifier.save(path)
    for stale in [*folder.glob(f"{MODEL_PREFIX}*.npz"), *folder.glob(f"{MODEL_PREFIX}*.pkl")]:
        if stale != path:
            stale.unlink(missing_ok=True)
    return classifier
