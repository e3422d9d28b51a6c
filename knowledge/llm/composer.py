"""Optional LLM answer mode: any OpenAI-compatible chat endpoint through langchain.

The model sees only the retrieved articles (as marked data blocks) and writes the conclusion,
compliance points and advice. Quoted law text always comes from the corpus. Any failure, timeout,
malformed reply or prompt leak yields ``None`` and the caller keeps the extractive answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from knowledge.llm.output import check, parse
from knowledge.llm.prompt import Prompt, markers
from knowledge.models import Answer, Case, QuotedArticle

logger = logging.getLogger(__name__)

_NO_KEY = "EMPTY"  # local servers (Ollama, vLLM) take any key; the client insists on one


@dataclass(frozen=True)
class LlmConfig:
    """An OpenAI-compatible chat endpoint."""

    base_url: str
    api_key: str = field(repr=False)
    model: str
    timeout_s: float


class LlmComposer:
    """Turns an extractive answer and its retrieved articles into an LLM-written answer."""

    def __init__(
        self, base_url: str, api_key: str, model: str, timeout_s: float, cases: Sequence[Case] = ()
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("LLM_BASE_URL must start with http:// or https://")
        if not model:
            raise ValueError("LLM_MODEL is empty")
        if timeout_s <= 0:
            raise ValueError(f"LLM_TIMEOUT_S must be positive, got {timeout_s}")
        self._secret = api_key
        self.timeout_s = timeout_s
        # Every party of the case library: the reply may name only those of the cases it was given.
        self._parties = {case.id: [p.strip() for p in case.party.split("；") if p.strip()] for case in cases}
        self.prompt = Prompt.load()
        from langchain_openai import ChatOpenAI  # imported here: it takes a second, and is optional

        self._chat = ChatOpenAI(
            base_url=base_url,
            api_key=api_key or _NO_KEY,
            model=model,
            timeout=timeout_s,
            max_retries=0,
            temperature=0,
            use_responses_api=False,
        )

    @classmethod
    def from_config(cls, config: LlmConfig | None, cases: Sequence[Case] = ()) -> LlmComposer | None:
        """The composer for an endpoint (with the cases it may use), or None when no LLM is configured."""
        if config is None:
            return None
        return cls(config.base_url, config.api_key, config.model, config.timeout_s, cases)

    def compose(self, extractive: Answer, candidates: list[QuotedArticle]) -> Answer | None:
        """The LLM answer, or None (logged) when the extractive answer should be used. Never raises."""
        if extractive.declined or not candidates:
            return None
        try:
            return self._compose(extractive, candidates)
        except Exception as exc:  # any failure means: keep the extractive answer
            logger.warning(
                "LLM answer failed (%s: %s); using the extractive answer",
                type(exc).__name__,
                self._redact(str(exc)),
            )
            return None

    def _compose(self, extractive: Answer, candidates: list[QuotedArticle]) -> Answer | None:
        content = self._call(extractive, candidates)
        if content is None:
            return None
        draft = parse(content)
        if draft is None:
            logger.warning("LLM reply is not the expected JSON; using the extractive answer")
            return None
        checked = check(draft, markers(candidates))
        if checked.unknown:
            logger.warning(
                "LLM cited markers outside the retrieved set, removed: %s", ", ".join(checked.unknown)
            )
        if checked.foreign:
            logger.warning(
                "LLM named articles outside the retrieved set (%s); using the extractive answer",
                "、".join(checked.foreign),
            )
            return None
        texts = (checked.conclusion, *checked.compliance, checked.advice)
        if any(self.prompt.leaks(text) for text in texts):
            logger.warning("LLM reply repeats prompt text; using the extractive answer")
            return None
        given = {cited.id for cited in extractive.cases}
        foreign = [
            party
            for case_id, parties in self._parties.items()
            if case_id not in given
            for party in parties
            if any(party in text for text in texts)
        ]
        if foreign:
            logger.warning(
                "LLM named cases it was not given (%s); using the extractive answer", "、".join(foreign)
            )
            return None
        return _answer(extractive, checked.conclusion, checked.compliance, checked.advice, checked.cited)

    def _call(self, extractive: Answer, candidates: list[QuotedArticle]) -> str | None:
        """The model's reply text, or None after ``timeout_s`` of wall time (the call is abandoned)."""
        from langchain_core.messages import HumanMessage, SystemMessage

        user = self.prompt.user(extractive.question, candidates, extractive.cases)
        messages = [SystemMessage(self.prompt.system), HumanMessage(user)]
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pufa-llm")
        try:
            future = pool.submit(self._chat.invoke, messages)
            reply = future.result(timeout=self.timeout_s)
        except FutureTimeout:
            logger.warning("LLM gave no answer within %.1f s; using the extractive answer", self.timeout_s)
            return None
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return str(reply.text)

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text


def _answer(
    extractive: Answer, conclusion: str, compliance: list[str], advice: str, cited: list[QuotedArticle]
) -> Answer | None:
    """The LLM answer: model text, corpus quotes for what it cited, extractive penalties and notices."""
    basis_refs = {quoted.ref for quoted in extractive.basis}
    penalty_only = {quoted.ref for quoted in extractive.liability} - basis_refs
    basis = [quoted for quoted in cited if quoted.ref not in penalty_only]
    if not basis:
        logger.warning("LLM cited no basis article from the retrieved set; using the extractive answer")
        return None
    return Answer(
        question=extractive.question,
        conclusion=conclusion,
        basis=basis,
        compliance=compliance,
        liability=list(extractive.liability),
        liability_summary=list(extractive.liability_summary),
        advice=advice,
        notices=list(extractive.notices),
        declined=False,
        mode="llm",
        domains=list(extractive.domains),
        cases=list(extractive.cases),
    )
