"""Incremental, atomic ingest: parse everything, embed only what changed, then switch the snapshot.

Order of writes: new vectors are added first (readers ignore records the current snapshot does not
list), the snapshot is then replaced atomically, and stale vectors are deleted last. A failure at any
point before the rename leaves the previous index answering exactly as before.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ingest.orphans import check_orphans
from ingest.sources import Corpus, load_corpus
from knowledge.assistant import prepare_models
from knowledge.cases.files import load_cases
from knowledge.errors import IndexDamaged, IndexNotReady
from knowledge.index.embedders import Embedder
from knowledge.index.integrity import PROBES, Integrity, Probe, check_files, chroma_files, self_check
from knowledge.index.snapshot import (
    CASE_PREFIX,
    EXPANSION_PART,
    FAQ_PREFIX,
    SCOPE_DOC,
    SNAPSHOT_NAME,
    Snapshot,
    VectorRecord,
    index_dir,
    read_snapshot,
    write_snapshot,
)
from knowledge.index.store import ChromaLocation, VectorStore, collection_name
from knowledge.law.catalog import Catalog
from knowledge.law.curated import faq_entries, out_of_scope_examples, phrasings_for
from knowledge.models import Article, Case, Document
from knowledge.retrieval.bank import bank_questions, prepare_vectors
from knowledge.retrieval.requests import request_classifier

CASES_SUBDIR = "cases"  # the bureau's own cases: a folder beside the regulations
EMBED_BATCH = 256  # texts per embedder call and progress step (large, so worker processes stay busy)


@dataclass(frozen=True)
class IngestSummary:
    documents: int
    cases: int
    articles: int
    embedded: int
    skipped: int
    removed: int
    seconds: float

    def line(self) -> str:
        return (
            f"完成：文档 {self.documents} 部，条文 {self.articles} 条，新嵌入 {self.embedded}，"
            f"未变跳过 {self.skipped}，移除 {self.removed}，用时 {self.seconds:.1f} 秒"
        ) + (f"；典型案例 {self.cases} 件" if self.cases else "")


@dataclass(frozen=True)
class _Pending:
    record: VectorRecord
    text: str
    metadata: dict[str, str | int]


def embedded_text(document: Document, article: Article, body: str) -> str:
    """What the embedder sees: law title and chapter before the article text."""
    heading = " ".join(part for part in (document.title, article.chapter, article.section) if part)
    return f"{heading}\n{article.label} {body}"


def article_parts(document: Document, article: Article, embedder: Embedder) -> list[str]:
    """The article as one text, or — when too long for the embedder — in parts by 款.

    A 款 too long by itself is cut between its 项; every part resolves to the same article.
    """
    limit = embedder.max_tokens - 16

    def fits(body: str) -> bool:
        return embedder.token_count(embedded_text(document, article, body)) <= limit

    if fits(article.text):
        return [embedded_text(document, article, article.text)]
    units: list[str] = []
    for paragraph in article.paragraphs:
        whole = paragraph.render()
        units += [whole] if fits(whole) else [line for line in whole.split("\n") if line]
    parts: list[str] = []
    current: list[str] = []
    for unit in units:
        if current and not fits("\n".join([*current, unit])):
            parts.append(embedded_text(document, article, "\n".join(current)))
            current = []
        current.append(unit)
    parts.append(embedded_text(document, article, "\n".join(current)))
    return parts


def _pending(text: str, metadata: dict[str, str | int], embedder: Embedder) -> _Pending:
    """A record whose id changes whenever its text, its metadata or the embedder does."""
    key = json.dumps([embedder.name, text, metadata], ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    doc_id, article, part = str(metadata["doc_id"]), int(metadata["article"]), int(metadata["part"])
    return _Pending(
        VectorRecord(f"{doc_id}/{article}/{part}/{digest}", doc_id, article, part), text, metadata
    )


def article_metadata(document: Document, article: Article, part: int) -> dict[str, str | int]:
    """What every article record carries (Chroma metadata takes no None and no lists)."""
    return {
        "doc_id": document.id,
        "title": document.title,
        "level": document.level,
        "article": article.number,
        "chapter": article.chapter,
        "status": document.status,
        "version_date": document.version_date.isoformat() if document.version_date else "",
        "effective": document.effective.isoformat() if document.effective else "",
        "domains": ",".join(document.domains),
        "part": part,
    }


def plan_records(corpus: Corpus, embedder: Embedder, cases: Sequence[Case] = ()) -> list[_Pending]:
    """Every text to embed: article parts, curated everyday phrasings, FAQ questions, scope examples,
    and each case's facts with its lesson."""
    pending: list[_Pending] = []
    for source in corpus.sources:
        for article in source.parsed.articles:
            texts = article_parts(source.document, article, embedder)
            phrasings = phrasings_for(article.ref, corpus.catalog)
            numbered = [*enumerate(texts), *((EXPANSION_PART + i, p) for i, p in enumerate(phrasings))]
            pending += [
                _pending(text, article_metadata(source.document, article, part), embedder)
                for part, text in numbered
            ]
    for entry in faq_entries():
        pending += [
            _pending(q, {"doc_id": FAQ_PREFIX + entry.id, "article": 0, "part": i}, embedder)
            for i, q in enumerate(entry.questions)
        ]
    pending += [
        _pending(text, {"doc_id": SCOPE_DOC, "article": 0, "part": i}, embedder)
        for i, text in enumerate(out_of_scope_examples())
    ]
    for case in cases:
        pending.append(
            _pending(case.text, {"doc_id": CASE_PREFIX + case.id, "article": 0, "part": 0}, embedder)
        )
    return pending


def _embed(texts: list[str], embedder: Embedder, show_progress: bool) -> dict[str, np.ndarray]:
    vectors: dict[str, np.ndarray] = {}
    with tqdm(total=len(texts), desc="嵌入条文", unit="条", disable=not show_progress or not texts) as bar:
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start : start + EMBED_BATCH]
            vectors.update(zip(batch, embedder.embed_passages(batch), strict=True))
            bar.update(len(batch))
    return vectors


def _previous_collection(data_dir: Path) -> str:
    try:
        return read_snapshot(data_dir).collection
    except IndexNotReady:
        return ""


def _previous_catalog(data_dir: Path) -> Catalog:
    try:
        return read_snapshot(data_dir).catalog
    except IndexNotReady:
        return Catalog(())


def _probes(store: VectorStore, pending: Sequence[_Pending]) -> tuple[Probe, ...]:
    """A few article records spread over the corpus, each with a text no other record has, and the vector
    Chroma stores for it: the known answers of the self-check."""
    uses = Counter(item.text for item in pending)
    candidates = [
        item
        for item in pending
        if not item.record.doc_id.startswith("__")
        and item.record.part < EXPANSION_PART
        and uses[item.text] == 1
    ]
    spread = sorted({i * len(candidates) // PROBES for i in range(PROBES)}) if candidates else []
    chosen = [candidates[i] for i in spread]
    vectors = store.vectors([item.record.id for item in chosen])
    return tuple(
        Probe(item.record.id, item.record.doc_id, tuple(float(x) for x in vector))
        for item, vector in zip(chosen, vectors, strict=True)
    )


def _discard_if_damaged(
    data_dir: Path, location: ChromaLocation, name: str, embedder: str, force: bool
) -> None:
    """Check the index built before; a damaged one stops ingest (IndexDamaged names ``--force``) or, with
    ``force``, is discarded — snapshot and vectors — so this build starts afresh."""
    store: VectorStore | None = None
    try:
        previous = read_snapshot(data_dir)
        if location.path is not None:
            check_files(location.path, previous.integrity.files)
        store = VectorStore(location, previous.collection, previous.embedder)
        self_check(store, previous.integrity, previous.collection)
    except IndexDamaged:
        if not force:
            raise
        if store is not None:
            store.close()
        if location.path is not None:
            shutil.rmtree(location.path, ignore_errors=True)
        else:
            VectorStore(location, name, embedder, create=True).drop_collection(name)
        (index_dir(data_dir) / SNAPSHOT_NAME).unlink(missing_ok=True)
    except IndexNotReady:  # nothing built yet, or by another format or embedder: nothing to check
        return


@contextmanager
def _ingest_lock(data_dir: Path) -> Iterator[None]:
    folder = index_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".ingest.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def run_ingest(
    corpus_dir: Path,
    data_dir: Path,
    embedder: Embedder,
    location: ChromaLocation,
    show_progress: bool = True,
    case_dirs: Sequence[Path] = (),
    force: bool = False,
) -> tuple[IngestSummary, list[str]]:
    """Build or update the index; returns the summary and the warnings (e.g. skipped numbers).

    Cases are read from ``corpus_dir/cases`` and ``case_dirs`` (the published set). A document id that
    curated data refers to may not vanish from the index (renamed or dropped in the manifest) unless
    ``force`` is set; then it is a warning.
    """
    started = time.perf_counter()
    corpus = load_corpus(corpus_dir)  # every input error is raised here, before anything is written
    corpus.warnings.extend(check_orphans(_previous_catalog(data_dir), corpus.catalog, corpus_dir, force))
    known = {article.ref for source in corpus.sources for article in source.parsed.articles}
    cases = tuple(load_cases([corpus_dir / CASES_SUBDIR, *case_dirs], known))
    with _ingest_lock(data_dir):
        name = collection_name(embedder.name, data_dir)
        _discard_if_damaged(data_dir, location, name, embedder.name, force)
        pending = plan_records(corpus, embedder, cases)
        previous = _previous_collection(data_dir)
        store = VectorStore(location, name, embedder.name, create=True)
        present = store.ids()
        todo = [item for item in pending if item.record.id not in present]
        unique_texts = list(dict.fromkeys(item.text for item in todo))  # equal texts share one vector
        vector_of = _embed(unique_texts, embedder, show_progress)
        if todo:
            store.add(
                [item.record.id for item in todo],
                np.stack([vector_of[item.text] for item in todo]).astype("float32"),
                [item.metadata for item in todo],
                [item.text for item in todo],
            )
        articles = tuple(article for source in corpus.sources for article in source.parsed.articles)
        records = tuple(i.record for i in pending)
        integrity = Integrity(
            {name: len(records)},
            chroma_files(location.path, name) if location.path else (),
            _probes(store, pending),
        )
        snapshot = Snapshot(embedder.name, name, corpus.catalog, articles, records, cases, integrity)
        # Models read beside the snapshot: the bank's vectors for this embedder (of the articles held: only
        # those are read), the fitted request classifier, the BM25 statistics and parallel provisions.
        held = [question for question in bank_questions() if question.ref in known]
        prepare_vectors(index_dir(data_dir), embedder.name, embedder.embed_query, held)
        request_classifier(index_dir(data_dir))
        prepare_models(snapshot, index_dir(data_dir))
        write_snapshot(snapshot, data_dir)
        stale = sorted(present - {item.record.id for item in pending})
        store.delete(stale)
        if previous and previous != name:  # built with another embedder (or elsewhere): no longer read
            store.drop_collection(previous)
    summary = IngestSummary(
        documents=len(corpus.sources),
        cases=len(cases),
        articles=len(articles),
        embedded=len(unique_texts),
        skipped=len(pending) - len(todo),
        removed=len(stale),
        seconds=time.perf_counter() - started,
    )
    return summary, corpus.warnings
