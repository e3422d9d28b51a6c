"""The architecture, checked: inside ``knowledge``, ``bot`` and ``bot.records`` the parts import each other
in one direction only (DESIGN.md: surfaces → records/reports/briefing → knowledge; law ← index ←
retrieval ← answers), and no top-level package imports one above it.

Every import counts, also those inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Lowest layer first. A part may import parts of lower layers only, never one of its own layer or above.
LAYERS: dict[str, list[set[str]]] = {
    "knowledge": [
        {"errors", "models", "templates"},
        {"law"},
        {"index", "quiz"},
        {"retrieval"},
        {"cases"},
        {"llm"},
        {"answers"},
        {"assistant"},
        {"evaluation"},
    ],
    "bot": [
        {"settings", "logs", "limits"},
        {"render"},
        {"records"},
        {"reports"},
        {"briefing"},
        {"chat", "telegram", "web"},
        {"cli"},
    ],
    "bot.records": [
        {"errors", "messages", "calendar", "models"},
        {"validate", "sheets", "rows", "schema", "subjects"},
        {"db"},
        {"batches"},
        {"units", "turns", "training", "reports"},
        {"people"},
        {"sessions", "accounts"},
        {"migrations", "services"},
    ],
}
# Packages that never import ``bot`` (the surfaces and records sit above them).
BELOW_BOT = ["prompts", "knowledge", "ingest"]


def module_name(path: Path, root: Path = REPO) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, root: Path = REPO) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in ``path``; ``from a import b`` yields ``a`` and ``a.b``."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def part_of(module: str, package: str) -> str | None:
    """The direct part of ``package`` that ``module`` belongs to (``knowledge.law.x`` → ``law``)."""
    prefix = package + "."
    return module[len(prefix) :].split(".")[0] if module.startswith(prefix) else None


def sources(package: str, root: Path = REPO) -> list[Path]:
    return sorted((root / package.replace(".", "/")).rglob("*.py"))


def against_layers(package: str, layers: list[set[str]], root: Path = REPO) -> set[str]:
    """Every import in ``package`` of a part of the same or a higher layer, as ``file:line …``."""
    rank = {part: level for level, parts in enumerate(layers) for part in parts}
    found = {part_of(module_name(path, root), package) for path in sources(package, root)} - {None}
    wrong = {f"{package}.{part} is in no layer" for part in found - set(rank)}
    for path in sources(package, root):
        source = part_of(module_name(path, root), package)
        if source is None or source not in rank:
            continue
        for line, name in imported(path, root):
            target = part_of(name, package)
            if target in rank and target != source and rank[target] >= rank[source]:
                wrong.add(f"{path.relative_to(root)}:{line} ({source}) imports {name} ({target})")
    return wrong


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_parts_import_each_other_in_one_direction(package: str) -> None:
    wrong = against_layers(package, LAYERS[package])
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_knowledge_and_ingest_never_import_the_surfaces() -> None:
    wrong = {
        f"{path.relative_to(REPO)}:{line} imports {name}"
        for package in BELOW_BOT
        for path in sources(package)
        for line, name in imported(path)
        if name.split(".")[0] == "bot"
    }
    assert not wrong, "imports of bot from below it:\n" + "\n".join(sorted(wrong))


def test_the_check_reports_an_upward_import_and_an_unplaced_part(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    for part, body in {
        "low": "from pkg.high.x import y\n",
        "high": "import pkg.low\n",
        "stray": "",
    }.items():
        (package / part).mkdir(parents=True)
        (package / part / "__init__.py").write_text("")
        (package / part / "x.py").write_text(body)
    wrong = against_layers("pkg", [{"low"}, {"high"}], tmp_path)
    assert wrong == {
        "pkg.stray is in no layer",
        "pkg/low/x.py:1 (low) imports pkg.high.x (high)",
        "pkg/low/x.py:1 (low) imports pkg.high.x.y (high)",
    }
