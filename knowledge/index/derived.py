"""Structures derived from the index and the curated data (BM25 statistics of the tokenised corpus, the parallel
provisions), computed once and kept beside the index so that a process starting to answer one question loads
them instead of recomputing them.

Each is kept in one file named by a key: a hash of everything it is computed from — its input texts and the
source of the code computing it. A changed corpus, curated file or algorithm changes the key, and the structure
is computed again (and kept, replacing the stale file); nothing is ever read for inputs it was not built from.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def fingerprint(parts: Iterable[str | bytes]) -> str:
    """A short hash of ``parts`` (separated, so that moving text between parts changes it)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[:20]


def source_of(*files: str | Path) -> list[bytes]:
    """The bytes of source (or data) files: part of a key, so that changed code recomputes what it computes."""
    return [Path(f).read_bytes() for f in files]


def kept(
    folder: Path | None,
    prefix: str,
    suffix: str,
    key: str,
    build: Callable[[], T],
    save: Callable[[T, Path], None],
    load: Callable[[Path], T],
) -> T:
    """The structure named ``prefix + key + suffix`` in ``folder``: loaded when kept there, else built and kept
    (atomically: a temporary file, then rename), replacing the files of other keys. Built, not kept, when
    ``folder`` is None or cannot be written."""
    if folder is None:
        return build()
    path = folder / f"{prefix}{key}{suffix}"
    try:
        return load(path)
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile):  # not kept yet, or torn: built again
        pass
    built = build()
    tmp = folder / f".{prefix}{key}.{os.getpid()}.tmp{suffix}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        save(built, tmp)
        os.replace(tmp, path)
    except OSError:  # a read-only index: answer all the same, computing it in each process
        with contextlib.suppress(OSError):
            tmp.unlink()
        return built
    for stale in folder.glob(f"{prefix}*{suffix}"):
        if stale != path and not stale.name.startswith("."):
            stale.unlink(missing_ok=True)
    return built
