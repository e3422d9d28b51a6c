"""The verdict every benchmark prints: each figure above its floor named, exit status 1 if any."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def check_floors(results: Mapping[str, float], floors: Mapping[str, float]) -> int:
    """Print every result above its floor; 1 when any is, else 0."""
    failed = [name for name, floor in floors.items() if results[name] > floor]
    for name in failed:
        print(f"ABOVE FLOOR: {name} = {results[name]:.2f} (floor {floors[name]})")
    return 1 if failed else 0


def write_result(result: Mapping[str, Any], out: Path, ok: bool) -> int:
    """Save ``result`` as JSON in ``out``, print it on one line; 0 when ``ok``, else 1."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))
    return 0 if ok else 1
