"""The committed seed of passage vectors (tests/support/vector_seed.py) is the model's own output for the
corpus as it is now: it only saves embedding time, it never stands in for the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.support.vector_cache import SEED, DiskCachedEmbedder, read_seed
from tests.support.vector_seed import corpus_texts

MIN_COVERED = 0.9  # below this the session index embeds hundreds of passages on a fresh machine


def test_seed_holds_the_models_vectors_of_the_corpus(
    corpus_dir: Path, cases_dir: Path, e5: DiskCachedEmbedder
) -> None:
    seed = read_seed(SEED)
    texts = corpus_texts(corpus_dir, cases_dir, e5)
    keys = [e5.key("passage", text) for text in texts]
    seeded = [i for i, key in enumerate(keys) if key in seed]
    assert len(seeded) >= MIN_COVERED * len(texts), (
        f"the seed holds {len(seeded)} of {len(texts)} passages: run python -m tests.support.vector_seed"
    )
    sample = [seeded[i * len(seeded) // 4] for i in range(4)]
    fresh = e5.model.embed_passages([texts[i] for i in sample])
    assert np.allclose(np.stack([seed[keys[i]] for i in sample]), fresh, atol=1e-5)
