"""The verdict every benchmark prints: each figure above its floor named, exit status 1 if any."""

from __future__ import annotations

from collections.abc import Mapping


def check_floors(results: Mapping[str, float], floors: Mapping[str, float]) -> int:
    """Print every result above its floor; 1 when any is, else 0."""
    failed = [name for name, floor in floors.items() if results[name] > floor]
    for name in failed:
        print(f"ABOVE FLOOR: {name} = {results[name]:.2f} (floor {floors[name]})")
    return 1 if failed else 0
