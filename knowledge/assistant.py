"""The assistant every surface talks to: answers, citations, search, and the list of laws."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol

from knowledge.answers.composer import AnswerComposer, ComposerTuning
from knowledge.errors import IndexNotReady
from knowledge.index.embedders import Embedder, make_embedder
from knowledge.index.integrity import check_files, self_check
from knowledge.index.snapshot import Snapshot, index_dir, read_snapshot
from knowledge.index.store import ChromaLocation, VectorStore
from knowledge.law.library import Library
from knowledge.law.versions import law_changes, version_asked
from knowledge.llm.composer import LlmComposer, LlmConfig
from knowledge.models import Answer, ArticleRef, CiteResult, Hit, QuotedArticle
from knowledge.retrieval import dictionary
from knowledge.retrieval.bank import QuestionBank
from knowledge.retrieval.lexical import read_dictionary_on_demand
from knowledge.retrieval.parallels import ParallelProvisions
from knowledge.retrieval.retriever import Method, Retriever, lexical_indexes


class AssistantSettings(Protocol):
    """The settings the assistant reads (``bot.settings.Settings`` provides them)."""

    @property
    def data_dir(self) -> Path: ...

    @property
    def chroma_host(self) -> str: ...

    @property
    def chroma_port(self) -> int: ...

    @property
    def embedding_backend(self) -> str: ...

    @property
    def embedding_model(self) -> str: ...

    @property
    def llm(self) -> LlmConfig | None: ...


class Assistant:
    """Holds the index in memory; thread-safe for concurrent reads."""

    def __init__(
        self, library: Library, retriever: Retriever | None, composer: AnswerComposer | None
    ) -> None:
        self.library = library
        self.retriever = retriever
        self.composer = composer

    @classmethod
    def open(cls, settings: AssistantSettings, embedder: Embedder | None = None) -> Assistant:
        """Load the index built by ``pufa ingest`` once it passed its checks (knowledge/index/integrity.py);
        IndexNotReady with the command to run if missing, IndexDamaged if not whole."""
        _one_blas_thread()
        read_dictionary_on_demand(index_dir(settings.data_dir))
        location = ChromaLocation.from_settings(settings.data_dir, settings.chroma_host, settings.chroma_port)
        snapshot = _checked_snapshot(settings.data_dir, location)
        store = VectorStore(location, snapshot.collection, snapshot.embedder)
        self_check(store, snapshot.integrity, snapshot.collection)  # before the model loads: fails fast
        embedder = embedder or make_embedder(settings.embedding_backend, settings.embedding_model)
        if embedder.name != snapshot.embedder:
            raise IndexNotReady(
                f"索引由嵌入模型 {snapshot.embedder} 构建，当前配置为 {embedder.name}，请重新运行：pufa ingest"
            )
        library = Library(snapshot)
        models = index_dir(settings.data_dir)
        bank = QuestionBank.load(embedder.name, models, set(library.articles))
        retriever = Retriever(library, snapshot, store, embedder, bank=bank, models=models)
        llm = LlmComposer.from_config(settings.llm, tuple(library.cases.values()))
        return cls(library, retriever, AnswerComposer(library, retriever, llm, models=models))

    @classmethod
    def open_library(cls, data_dir: Path) -> Assistant:
        """Citations only: no vector store, no embedder (fast start for ``pufa cite``)."""
        return cls(Library(_checked_snapshot(data_dir, ChromaLocation.from_settings(data_dir))), None, None)

    def ask(self, question: str) -> Answer:
        assert self.composer is not None, "open the assistant with Assistant.open() to answer questions"
        unreadable = self.library.parser.unreadable_number(question)
        if unreadable:  # never answered as if it named a smaller number, or none
            mention = self.library.parser.mention(question)
            return Answer(question, self.library.unreadable_message(unreadable, mention), declined=True)
        return self.composer.answer(question)

    def cite(self, text: str) -> CiteResult:
        return self.library.cite(text)

    def search(
        self,
        question: str,
        k: int = 10,
        as_of: date | None = None,
        domain: str | None = None,
        method: Method = "hybrid",
    ) -> list[Hit]:
        """Best articles for a question; an explicit reference comes first, by look-up."""
        assert self.retriever is not None, "open the assistant with Assistant.open() to search"
        if as_of is None:  # a version or time named in the question
            mention = self.library.parser.mention(question)
            documents = mention.documents if mention else ()
            as_of = version_asked(
                question, documents, law_changes(documents or self.library.catalog.documents)
            )
        hits = self.retriever.search(question, k, as_of, domain, method)
        explicit = self.cite(question)
        if not explicit.found:
            return hits
        exact = [Hit(q.ref, 1.0, self.library.document(q.ref.doc_id).title) for q in explicit.quotes]
        return (exact + [h for h in hits if h.ref not in {e.ref for e in exact}])[:k]

    def quote(self, ref: ArticleRef) -> QuotedArticle:
        return self.library.quote(ref)

    def laws_text(self) -> str:
        return self.library.laws_text()


def prepare_models(snapshot: Snapshot, models: Path) -> None:
    """Compute (at ingest) what answering derives from the index and keep it in ``models`` beside it, so that
    the first process to answer loads it too: jieba's dictionary, the BM25 statistics and the parallel provisions."""
    library = Library(snapshot)
    dictionary.prepare(models)
    lexical_indexes(library, [article.ref for article in snapshot.articles], models)
    ParallelProvisions(library, ComposerTuning().parallel_similarity, models)


def _checked_snapshot(data_dir: Path, location: ChromaLocation) -> Snapshot:
    """The snapshot, once it and the vector files it lists were found whole (IndexDamaged if not)."""
    snapshot = read_snapshot(data_dir)
    if location.path is not None:
        check_files(location.path, snapshot.integrity.files)
    return snapshot


def _one_blas_thread() -> None:
    """OpenBLAS in one thread: answering does only small matrix-vector products (a question against the bank's
    ~1,700 vectors), for which waking a second thread costs far more than it saves — on 2 shared cores under
    load, 23 ms a product against 0.04 ms in one thread (bench/bench_knowledge.py, answer latency)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")

