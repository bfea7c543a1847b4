"""Issue 11: core imports no domain app, and the apps' imports form no cycle of any length
(the apps are layered: core, then orgs, members …, each importing only apps below it).
Every import counts, also those inside functions."""

import ast
from collections import defaultdict
from pathlib import Path

APPS = Path(__file__).resolve().parents[2] / "apps"


def _edges() -> dict[str, set[str]]:
    edges = defaultdict(set)
    for path in APPS.rglob("*.py"):
        rel = path.relative_to(APPS)
        if "migrations" in rel.parts:
            continue
        app = rel.parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "apps" and len(parts) > 1 and parts[1] != app:
                    edges[app].add(parts[1])
    return edges


def test_core_imports_no_domain_app():
    assert _edges()["core"] == set()


def _cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle among the apps ([] when there is none): depth-first search."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(app: str) -> list[str]:
        state[app] = 1
        path.append(app)
        for dep in sorted(edges.get(app, ())):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state and (found := visit(dep)):
                return found
        path.pop()
        state[app] = 2
        return []

    for app in sorted(edges):
        if app not in state and (found := visit(app)):
            return found
    return []


def test_the_cycle_finder_finds_cycles():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycle_between_apps():
    cycle = _cycle(_edges())
    assert not cycle, "import cycle between apps: " + " → ".join(cycle)
