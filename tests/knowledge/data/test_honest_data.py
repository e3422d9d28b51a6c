"""Honest data: nothing in ``knowledge/data/`` is lifted from an evaluation question. Every text of the data
files is compared with every question of ``eval/*.jsonl`` and the shared dev set; none may come within 0.8
(Dice coefficient of the two texts' character bigrams)."""

from __future__ import annotations

import json
import os
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "knowledge" / "data"
LIMIT = 0.8
MIN_CHARS = 6  # shorter texts (a word of the vocabulary) say nothing about where they came from


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def data_texts() -> dict[str, str]:
    """Each text of the data files, keyed by where it is."""
    texts: dict[str, str] = {}
    for path in sorted(DATA.rglob("*")):
        if path.suffix == ".toml":
            found = _strings(tomllib.loads(path.read_text(encoding="utf-8")))
        elif path.suffix == ".jsonl":
            found = (json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line)
        elif path.suffix == ".txt":
            found = iter(path.read_text(encoding="utf-8").splitlines())
        else:
            continue
        for i, text in enumerate(found):
            if len(text.strip()) >= MIN_CHARS:
                texts[f"{path.relative_to(REPO)}#{i}"] = text.strip()
    return texts


def eval_questions() -> dict[str, str]:
    shared = Path(os.environ.get("PUFA_CORPUS_DIR", REPO.parent / "shared" / "regulations")).parent / "eval"
    questions: dict[str, str] = {}
    for path in [*sorted((REPO / "eval").glob("*.jsonl")), *sorted(shared.glob("*.jsonl"))]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                questions[f"{path.name}:{number}"] = json.loads(line)["question"]
    return questions


def bigrams(text: str) -> Counter[str]:
    compact = "".join(text.split())
    return Counter(compact[i : i + 2] for i in range(len(compact) - 1))


def too_close(texts: dict[str, str], questions: dict[str, str]) -> list[tuple[str, str, float]]:
    """(data place, question place, similarity) of every pair at or above ``LIMIT``."""
    grams = {key: bigrams(text) for key, text in texts.items()}
    posting: dict[str, list[str]] = defaultdict(list)
    for key, counts in grams.items():
        for gram in counts:
            posting[gram].append(key)
    found: list[tuple[str, str, float]] = []
    for place, question in questions.items():
        mine = bigrams(question)
        size = sum(mine.values())
        shared: Counter[str] = Counter()
        for gram, count in mine.items():
            for key in posting.get(gram, ()):
                shared[key] += min(count, grams[key][gram])
        for key, common in shared.items():
            similarity = 2 * common / (size + sum(grams[key].values()))
            if similarity >= LIMIT:
                found.append((key, place, round(similarity, 3)))
    return found


def test_the_measure_finds_a_copy() -> None:
    question = "实验动物运输过程中需要检疫吗？"
    assert too_close({"x": question + "呢"}, {"q": question})
    assert not too_close({"x": "人类遗传资源出境需要审批吗"}, {"q": question})


def test_no_data_entry_is_close_to_an_evaluation_question() -> None:
    questions = eval_questions()
    if not questions:
        pytest.fail("no evaluation set found (eval/ and the shared dev set)")
    assert too_close(data_texts(), questions) == []
