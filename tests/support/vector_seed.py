"""Write the seed of passage vectors (tests/support/e5-passage-vectors.npz) for the corpus as it is now.

Run after the corpus, the published cases or the curated texts that ingest embeds (FAQ, phrasings, scope
examples) changed a lot: ``.venv/bin/python -m tests.support.vector_seed`` (``PUFA_CORPUS_DIR`` and
``PUFA_CASES_DIR`` as for the tests; ``PUFA_TEST_VECTOR_CACHE`` is read, so known vectors are not recomputed).
The seed keeps only hashes and vectors: no text of the corpus enters the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

from ingest.pipeline import CASES_SUBDIR, load_corpus, plan_records
from knowledge.cases.files import load_cases
from knowledge.index.embedders import make_embedder
from tests.support.vector_cache import SEED, DiskCachedEmbedder, write_seed

REPO = Path(__file__).resolve().parents[2]


def corpus_texts(corpus_dir: Path, cases_dir: Path, embedder: DiskCachedEmbedder) -> list[str]:
    """Every distinct text the session index embeds as a passage (tests/conftest.py ``index_dir``)."""
    corpus = load_corpus(corpus_dir)
    known = {article.ref for source in corpus.sources for article in source.parsed.articles}
    cases = load_cases([corpus_dir / CASES_SUBDIR, cases_dir], known)
    return list(dict.fromkeys(item.text for item in plan_records(corpus, embedder, cases)))


def main() -> None:
    corpus_dir = Path(os.environ.get("PUFA_CORPUS_DIR") or REPO.parent / "shared" / "regulations")
    cases_dir = Path(os.environ.get("PUFA_CASES_DIR") or corpus_dir.parent / "cases")
    cache = Path(os.environ.get("PUFA_TEST_VECTOR_CACHE") or REPO / ".pytest_cache" / "pufa-vectors.sqlite3")
    embedder = DiskCachedEmbedder(make_embedder("e5"), cache, seed=None)
    try:
        texts = corpus_texts(corpus_dir, cases_dir, embedder)
        vectors = embedder.embed_passages(texts)
    finally:
        embedder.close()
    write_seed(SEED, {embedder.key("passage", t): v for t, v in zip(texts, vectors, strict=True)})
    print(f"{SEED}: {len(texts)} passage vectors")


if __name__ == "__main__":
    main()
