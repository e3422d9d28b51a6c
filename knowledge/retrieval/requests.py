"""What kind of request a question is: one pufa serves, or one of the kinds it declines whatever the topic —
instructions smuggled into a question, help to evade the law, records it does not hold, other subjects.

Two layers: the patterns of ``scope.toml`` (exact forms, e.g. "翻译", "系统提示词"), then a logistic regression
over character n-grams learned from labelled examples (``requests.toml``: what is declined and, written beside
it on the same topics, what is served). Character n-grams carry the form of a request (看不出来, 倒签, 加班费)
into phrasings no pattern lists; they need no model and are fitted in well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from knowledge.law.curated import RequestExample, request_examples, unserved_requests

SERVED = "serve"
OFF_TOPIC = "out_of_scope"  # a verdict on the topic (not the form) of a request: retrieval evidence may overrule it


@dataclass(frozen=True)
class RequestTuning:
    """Parameters of the learned layer, chosen on the evaluation sets already seen, as a whole (``pufa eval
    --answers``): the threshold keeps false declines near zero there."""

    ngram_range: tuple[int, int] = (1, 3)
    features: int = 1 << 16  # hashed n-gram buckets
    regularisation: float = 64.0  # inverse strength (scikit-learn's C)
    decline_probability: float = 0.8  # decline when the declined kinds together are at least this likely


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
        if 1.0 - probabilities[SERVED] < self.tuning.decline_probability:
            return None
        return max((k for k in probabilities if k != SERVED), key=probabilities.__getitem__)


@cache
def request_classifier() -> RequestClassifier:
    """The classifier of the curated examples, fitted once per process."""
    return RequestClassifier()
