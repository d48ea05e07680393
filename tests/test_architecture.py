"""The floors of the code base hold: no package reaches into another's private names, and no
library code imports a layer above it (issue 11). Walks every import of src/myoclass."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src" / "myoclass"

#: each package (or top-level module) and its floor: it may import only floors at or below its own
FLOOR = {
    "errors": 0,
    "model": 1,
    "logic": 2, "io": 2, "synthetic": 2, "examples": 2,
    "criteria": 3, "followup": 3,
    "reasoning": 4,
    "report": 5, "docs": 5,
    "batch": 6, "registry": 6,
    "web": 7,
    "cli": 8,
}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node, leaving out ``if TYPE_CHECKING:`` blocks (imports for type hints only)."""
    out: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            stack.extend(node.orelse)
            continue
        out.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return out


def _imports() -> list[tuple[str, str, str, list[str], int]]:
    """(file, importer package, imported module, imported names, line) for every myoclass import."""
    out = []
    for f in sorted(ROOT.rglob("*.py")):
        rel = f.relative_to(ROOT).parts
        pkg = rel[0].removesuffix(".py")
        for node in _runtime_nodes(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "myoclass":
                out.append((str(f.relative_to(ROOT)), pkg, node.module, [a.name for a in node.names], node.lineno))
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == "myoclass":
                        out.append((str(f.relative_to(ROOT)), pkg, a.name, [], node.lineno))
    return out


def test_the_walk_finds_the_imports() -> None:
    found = _imports()
    assert len(found) > 100
    assert any(m == "myoclass.logic.kleene" and p == "criteria" for _f, p, m, _n, _l in found)


def test_no_package_imports_another_packages_private_names() -> None:
    bad = []
    for f, pkg, module, names, line in _imports():
        parts = module.split(".")[1:]
        target = parts[0] if parts else ""
        if target == pkg:
            continue
        if any(p.startswith("_") and not p.startswith("__") for p in parts):
            bad.append(f"{f}:{line} imports the private module {module}")
        for n in names:
            if n.startswith("_") and not n.startswith("__"):
                bad.append(f"{f}:{line} imports the private name {n} from {module}")
    assert not bad, "\n".join(bad)


def test_no_library_code_imports_a_floor_above_it() -> None:
    bad = []
    for f, pkg, module, _names, line in _imports():
        parts = module.split(".")[1:]
        if not parts or pkg == "__init__" or pkg == "__main__":
            continue
        target = parts[0]
        if target == pkg:
            continue
        if pkg not in FLOOR or target not in FLOOR:
            bad.append(f"{f}:{line}: {pkg} or {target} has no floor in FLOOR (add it)")
        elif FLOOR[target] > FLOOR[pkg]:
            bad.append(f"{f}:{line}: {pkg} (floor {FLOOR[pkg]}) imports {module} (floor {FLOOR[target]})")
    assert not bad, "\n".join(bad)


def test_library_code_never_imports_the_web_or_the_cli() -> None:
    for f, pkg, module, _names, line in _imports():
        if pkg not in ("web", "cli", "__init__", "__main__"):
            assert module.split(".")[1:2] not in (["web"], ["cli"]), f"{f}:{line} imports {module}"
