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
import pickle
import re
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from knowledge.answers.curated import RequestExample, request_examples, unserved_requests
from knowledge.retrieval.bank import SELF_REPORT_VOICE

SERVED = "serve"
SELF_REPORT = SELF_REPORT_VOICE  # served: a person admitting a past or ongoing failing, asking what to do now
SERVED_KINDS = frozenset({SERVED, SELF_REPORT})
# Asking for the remedy of something already done (补救, 补办, 来得及, 主动报告): a self-report by its form.
_ASKS_REMEDY = re.compile(r"补救|补办|补手续|补报|来得及|主动(报告|上报|说明|交代)|自查(发现|出)")
OFF_TOPIC = (
    "out_of_scope"  # a verdict on the topic (not the form) of a request: retrieval evidence may overrule it
)


@dataclass(frozen=True)
class RequestTuning:
    """Parameters of the learned layer, chosen on the evaluation sets already seen, as a whole (``pufa eval
    --answers``): the threshold keeps false declines near zero there."""

    ngram_range: tuple[int, int] = (1, 3)
    features: int = 1 << 16  # hashed n-gram buckets
    regularisation: float = 64.0  # inverse strength (scikit-learn's C)
    decline_probability: float = 0.8  # decline when the declined kinds together are at least this likely
    self_report_probability: float = 0.25  # a self-report when at least this likely (the class is small)


class RequestClassifier:
    """The kind of request a question is (``None``: one pufa serves)."""

    def __init__(
        self, examples: tuple[RequestExample, ...] | None = None, tuning: RequestTuning = RequestTuning()
    ) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.tuning = tuning
        examples = request_examples() if examples is None else examples
        self._model = make_pipeline(
            HashingVectorizer(
                analyzer="char",
                ngram_range=tuning.ngram_range,
                n_features=tuning.features,
                alternate_sign=False,
            ),
            # saga fits the ~2,700 sparse examples in a fraction of a second (lbfgs takes seconds). Served
            # examples outnumber each declined kind several times over: classes are weighted to balance them,
            # else a question rich in the remit's words is served whatever it asks (绕开备案又不留痕迹).
            LogisticRegression(
                C=tuning.regularisation,
                solver="saga",
                max_iter=300,
                tol=1e-3,
                random_state=0,
                class_weight="balanced",
            ),
        )
        self._model.fit([e.text for e in examples], [e.kind for e in examples])

    def probabilities(self, text: str) -> dict[str, float]:
        """Each kind's probability for ``text``."""
        row = self._model.predict_proba([text])[0]
        return {str(kind): float(p) for kind, p in zip(self._model.classes_, row, strict=True)}

    def kind(self, text: str, learned: bool = True) -> str | None:
        """The declined kind ``text`` is, by its form (patterns) or, if ``learned``, by the learned layer;
        None if served."""
        matched = next((r.name for r in unserved_requests() if r.pattern.search(text)), None)
        if matched or not learned:
            return matched
        probabilities = self.probabilities(text)
        served = sum(probabilities.get(k, 0.0) for k in SERVED_KINDS)
        if 1.0 - served < self.tuning.decline_probability:
            return None
        return max((k for k in probabilities if k not in SERVED_KINDS), key=probabilities.__getitem__)

    def admits_failing(self, text: str) -> bool:
        """Whether ``text`` admits a past or ongoing failing (a self-report, served with the remedy and the
        mitigation the law grants)."""
        if _ASKS_REMEDY.search(text):
            return True
        return self.probabilities(text).get(SELF_REPORT, 0.0) >= self.tuning.self_report_probability


MODEL_PREFIX = "requests-"


def _fingerprint(examples: tuple[RequestExample, ...], tuning: RequestTuning) -> str:
    import sklearn

    key = json.dumps(
        [sklearn.__version__, asdict(tuning), [(e.kind, e.text) for e in examples]], ensure_ascii=False
    )
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@cache
def request_classifier(folder: Path | None = None) -> RequestClassifier:
    """The classifier of the curated examples: loaded from ``folder`` (beside the index) when fitted there on
    the same examples and tuning, else fitted (and kept in ``folder`` if given)."""
    if folder is None:
        return RequestClassifier()
    examples, tuning = request_examples(), RequestTuning()
    path = folder / f"{MODEL_PREFIX}{_fingerprint(examples, tuning)}.pkl"
    try:
        with path.open("rb") as handle:
            loaded = pickle.load(handle)
        if isinstance(loaded, RequestClassifier):
            return loaded
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    classifier = RequestClassifier(examples, tuning)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    with tmp.open("wb") as handle:
        pickle.dump(classifier, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    for stale in folder.glob(f"{MODEL_PREFIX}*.pkl"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return classifier
