"""jieba's dictionary read on demand. jieba loads its whole prefix dictionary (~500,000 words and prefixes) before
cutting anything: 0.3-2 s of a process started to answer one question, which then looks up a few thousand of
them. Kept beside the index as SQLite, the dictionary is read word by word instead, each entry remembered once
read; the words, their frequencies and the total are jieba's own, so the tokens are the same.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import jieba

from knowledge.index.derived import fingerprint, kept

FORMAT = "1"  # bump when the stored layout changes
Frequencies = tuple[dict[str, int], int]  # word (or prefix of a word, frequency 0) → frequency; their total


class StoredFrequencies(dict[str, int]):
    """jieba's ``FREQ`` read from SQLite on demand: the entries read (and the words jieba adds, from the user
    dictionary) are held in the dict itself, the words found absent in a set."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()  # one SQLite connection, shared by the threads answering
        self._absent: set[str] = set()

    def _read(self, word: str) -> int | None:
        if dict.__contains__(self, word):
            return dict.__getitem__(self, word)
        if word in self._absent:
            return None
        with self._lock:
            row = self._db.execute("SELECT freq FROM freq WHERE word = ?", (word,)).fetchone()
        if row is None:
            self._absent.add(word)
            return None
        dict.__setitem__(self, word, int(row[0]))
        return int(row[0])

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._read(word) is not None

    def __getitem__(self, word: str) -> int:
        found = self._read(word)
        if found is None:
            raise KeyError(word)
        return found

    def get(self, word: str, default: int | None = None) -> int | None:  # type: ignore[override]
        found = self._read(word)
        return default if found is None else found

    def __setitem__(self, word: str, freq: int) -> None:
        self._absent.discard(word)
        dict.__setitem__(self, word, freq)

    def total(self) -> int:
        """The total frequency stored with the words (ValueError if the file is not whole)."""
        try:
            with self._lock:
                row = self._db.execute("SELECT total FROM total").fetchone()
        except sqlite3.Error as exc:  # torn or another layout: written again
            raise ValueError(str(exc)) from exc
        if row is None:
            raise ValueError("no total")
        return int(row[0])


def stored_frequencies(folder: Path) -> Frequencies:
    """jieba's frequencies, read on demand from their copy in ``folder`` (written first if missing)."""
    return kept(folder, "jieba-", ".sqlite3", _key(), _full, _save, _load)


def prepare(folder: Path) -> None:
    """Keep jieba's dictionary in ``folder`` (at ingest) unless it is there already."""
    stored_frequencies(folder)


def _key() -> str:
    dictionary = Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME)
    return fingerprint([FORMAT, jieba.__version__, str(dictionary.stat().st_size)])


def _full() -> Frequencies:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer.FREQ, tokenizer.total


def _save(frequencies: Frequencies, path: Path) -> None:
    words, total = frequencies
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID")
        db.execute("CREATE TABLE total (total INTEGER NOT NULL)")
        db.executemany("INSERT INTO freq VALUES (?, ?)", words.items())
        db.execute("INSERT INTO total VALUES (?)", (total,))
    db.close()


def _load(path: Path) -> Frequencies:
    if not path.is_file():
        raise FileNotFoundError(path)
    frequencies = StoredFrequencies(path)
    return frequencies, frequencies.total()
