"""Session data built once per test run, also under pytest-xdist (the pattern of xdist's documentation).

Each worker has its own temporary folder; their parent is the run's. The first worker to take the lock
there builds the data; the others wait, then each copies the result into its own folder, so that nothing
one worker writes (a database, a spool) is seen by another.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

DONE = ".built"  # written last: a build that failed half-way is not taken for a whole one


def built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder holding what ``build`` puts into it: built here without xdist, else once per run and copied."""
    own = factory.mktemp(name)
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        build(own)
        return own
    shared = factory.getbasetemp().parent / name
    with FileLock(str(shared) + ".lock"):
        if not (shared / DONE).is_file():
            shutil.rmtree(shared, ignore_errors=True)
            build(shared)
            (shared / DONE).touch()
    shutil.copytree(shared, own, dirs_exist_ok=True, ignore=shutil.ignore_patterns(DONE))
    return own
