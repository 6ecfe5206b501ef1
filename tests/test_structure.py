"""The shape of the code: one module per view, views never import each other, no import
circle anywhere in ``dashboard/``, pages are one-line entry points listed in config.yaml."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PKG = ROOT / "dashboard"


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """dashboard module -> the dashboard modules it imports (anywhere in the file)."""
    graph: dict[str, set[str]] = {}
    for path in PKG.rglob("*.py"):
        name = _module(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if node.module is None or target.endswith(".views"):
                    found |= {f"{target}.{a.name}" for a in node.names}
                else:
                    found.add(target)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        graph[name] = {m for m in found if m.startswith("dashboard") and m != name}
    modules = set(graph)
    return {k: {m for m in v if m in modules} for k, v in graph.items()}


def test_no_import_circle():
    graph = _imports()
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                raise AssertionError("import circle: " + " -> ".join(trail + [node, nxt]))
            if nxt not in state:
                visit(nxt, trail + [node])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_views_never_import_each_other():
    graph = _imports()
    views = {m for m in graph if m.startswith("dashboard.views.")}
    assert {"dashboard.views.overview", "dashboard.views.topic", "dashboard.views.explorer",
            "dashboard.views.map", "dashboard.views.presentation", "dashboard.views.data_health"} <= views
    for view in views:
        assert not graph[view] & views, (view, graph[view] & views)


def test_pages_are_one_line_entry_points_of_the_configured_views(cfg):
    for entry in cfg.pages:
        tree = ast.parse((ROOT / entry.file).read_text(encoding="utf-8"))
        body = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        assert len(body) == 2, entry.file  # one import, one call
        assert isinstance(body[0], ast.ImportFrom) and body[0].module.startswith("dashboard.views.")
