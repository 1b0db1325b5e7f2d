"""The package's shape: one-way layers raw -> processed -> outputs, no import cycles, small modules.

Every import in ``src/analysis`` (top-level and inside functions alike) is read with ``ast``. A module may
import its own layer or a lower one, never a higher one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "analysis"
MAX_LINES = 600

# Lowest first. A module belongs to the first prefix that matches its dotted name.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("analysis.errors", "analysis.atomic", "analysis.safe_cells", "analysis.fingerprint")),
    ("catalog", ("analysis.catalog",)),
    ("processed", ("analysis.processed",)),
    ("clean", ("analysis.clean",)),
    ("stats", ("analysis.stats",)),
    ("present", ("analysis.present",)),
    ("views", ("analysis.views",)),
    ("report", ("analysis.report",)),
    ("cli", ("analysis.cli", "analysis.__main__")),
    ("face", ("analysis",)),  # the package's public face (lazy names for analysts)
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _layer(module: str) -> int:
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    raise AssertionError(f"{module} is in no layer; add it to LAYERS")


def _is_module(dotted: str) -> bool:
    where = SRC.parent / Path(*dotted.split("."))
    return where.with_suffix(".py").exists() or where.is_dir()


def _imports(path: Path, nodes: list[ast.stmt] | None = None) -> list[tuple[str, int, str]]:
    """(imported analysis module, line, imported name or "") for every import in ``nodes`` (default: the file)."""
    tree = ast.Module(body=nodes, type_ignores=[]) if nodes is not None else ast.parse(path.read_text("utf-8"))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno, "") for a in node.names if a.name.split(".")[0] == "analysis"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                target = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "analysis":
                continue
            for alias in node.names:
                # ``from analysis.present import charts`` imports the submodule analysis.present.charts
                candidate = f"{target}.{alias.name}"
                found.append((candidate if _is_module(candidate) else target, node.lineno, alias.name))
    return found


MODULES = sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_has_a_layer():
    for path in MODULES:
        _layer(_module_name(path))


def test_no_import_reaches_a_higher_layer():
    problems = []
    for path in MODULES:
        me = _module_name(path)
        mine = _layer(me)
        for target, line, name in _imports(path):
            if target == "analysis" and name == "__version__":
                continue  # the version string, defined in the package's __init__
            theirs = _layer(target)
            if theirs > mine:
                problems.append(f"{path.relative_to(SRC.parent)}:{line} {me} ({LAYERS[mine][0]}) imports "
                                f"{target} ({LAYERS[theirs][0]})")
    assert not problems, "imports against the flow:\n" + "\n".join(problems)


def _top_level_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports at import time (module-level statements only)."""
    names = {_module_name(p) for p in MODULES}
    graph: dict[str, set[str]] = {}
    for path in MODULES:
        me = _module_name(path)
        body = [n for n in ast.parse(path.read_text("utf-8")).body if isinstance(n, ast.Import | ast.ImportFrom | ast.If | ast.Try)]
        graph[me] = {t for t, _, _ in _imports(path, body) if t in names and t != me}
    return graph


def test_no_import_cycles():
    graph = _top_level_graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC.parent)))
def test_module_is_small(path):
    n = len(path.read_text("utf-8").splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(SRC.parent)} has {n} lines (limit {MAX_LINES}); split it by job"


def test_the_checker_sees_an_upward_import():
    """The checker itself: a stats module importing the report layer would be reported."""
    probe = SRC / "stats" / "summary.py"
    found = _imports(probe, ast.parse("from analysis.report import runner\n").body)
    assert [t for t, _, _ in found] == ["analysis.report.runner"]
    assert _layer("analysis.stats.summary") < _layer(found[0][0])
