"""The question bank: well-formed, about articles we hold, its vectors shipped for the bundled embedder and
recomputed only when the embedder or a text changes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.assistant import Assistant
from knowledge.index.embedders import Embedder
from knowledge.retrieval.bank import (
    SHIPPED_VECTORS,
    VECTORS_NAME,
    QuestionBank,
    bank_questions,
    prepare_vectors,
    text_key,
)


def test_every_question_names_an_article_we_hold(assistant: Assistant) -> None:
    bank = bank_questions()
    assert len(bank) > 1500
    unknown = [q for q in bank if q.ref not in assistant.library.articles]
    assert unknown == []
    assert {q.writer for q in bank} >= {"bank-A", "bank-B", "bank-C"}
    assert {"self_report", "doubt", "foreign"} <= {q.voice for q in bank}


def test_vectors_ship_for_the_bundled_embedder(e5: Embedder) -> None:
    with np.load(SHIPPED_VECTORS) as data:
        keys = set(data["keys"].tolist())
    assert all(text_key(e5.name, q.question) in keys for q in bank_questions())


def test_ingest_keeps_the_vectors_beside_the_index(settings, assistant: Assistant) -> None:  # type: ignore[no-untyped-def]
    assert (settings.data_dir / "index" / VECTORS_NAME).exists()
    assert assistant.retriever is not None and len(assistant.retriever.bank) == len(bank_questions())


def test_a_changed_embedder_recomputes(tmp_path: Path, e5: Embedder) -> None:
    questions = bank_questions()[:3]
    assert prepare_vectors(tmp_path, "another-model", e5.embed_query, questions) == 3
    assert prepare_vectors(tmp_path, "another-model", e5.embed_query, questions) == 0
    loaded = QuestionBank.load("another-model", tmp_path)
    assert len(loaded) == 3


def test_a_question_is_closest_to_its_own_article(assistant: Assistant, e5: Embedder) -> None:
    assert assistant.retriever is not None
    bank = assistant.retriever.bank
    question = bank.questions[0]
    similarities = bank.similarities(e5.embed_query(question.question))
    best, _ = bank.article_scores(similarities, [question.ref])[0]
    assert best > 0.99
