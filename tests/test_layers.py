"""The folders show the architecture, and imports keep to it.

Every module of ``graph/`` and ``api/`` is read (imports inside functions included) and placed in
a layer; an import may only point to its own layer or a lower one, and no group of modules may
import each other in a circle. There are no exceptions: an import inside a function counts like
any other, so one cannot be used to hide a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Lowest first. A module belongs to the first layer whose prefix it starts with.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("graph.errors",),
    ("graph.store_address",),
    ("graph.settings",),
    ("graph.model",),
    ("graph.questions",),
    ("graph.render", "graph.publish"),
    ("graph.load",),
    ("graph.stores",),
    ("graph.sparql",),
    ("graph.store_registry",),
    ("api.web",),
    ("api.cli",),
    ("api",),
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports() -> nx.DiGraph:
    """Module → module it imports (``paccto.`` dropped), for every module of graph/ and api/."""
    graph = nx.DiGraph()
    modules = {
        _module_name(path): path
        for folder in ("graph", "api")
        for path in (ROOT / folder).rglob("*.py")
    }
    for name, path in modules.items():
        graph.add_node(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                short = target.removeprefix("paccto.")
                if target.startswith("paccto.") and short in modules and short != name:
                    graph.add_edge(name, short)
    return graph


def _layer(module: str) -> int:
    for index, prefixes in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return index
    if module in ("graph", "api") or module.startswith("graph."):
        return 0  # package docstrings only
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


@pytest.fixture(scope="module")
def imports() -> nx.DiGraph:
    return _imports()


def test_every_module_is_in_a_layer_and_none_is_skipped(imports: nx.DiGraph) -> None:
    assert len(imports) > 60
    for module in imports:
        _layer(module)


def test_imports_point_down_the_layers(imports: nx.DiGraph) -> None:
    upward = {(a, b) for a, b in imports.edges if _layer(a) < _layer(b)}
    assert upward == set(), "imports from a lower layer to a higher one"


def test_no_new_import_circles(imports: nx.DiGraph) -> None:
    circles = {frozenset(group) for group in nx.strongly_connected_components(imports)}
    circles = {group for group in circles if len(group) > 1}
    assert circles == set(), "import circles"


def test_graph_never_imports_a_front_end(imports: nx.DiGraph) -> None:
    for module in imports:
        if module.startswith("graph"):
            path = ROOT / Path(*module.split("."))
            source = (path.with_suffix(".py") if path.with_suffix(".py").exists() else path /
                      "__init__.py").read_text(encoding="utf-8")  # fmt: skip
            tree = ast.parse(source)
            for node in ast.walk(tree):
                names = (
                    [node.module or ""] if isinstance(node, ast.ImportFrom)
                    else [alias.name for alias in node.names] if isinstance(node, ast.Import)
                    else []
                )  # fmt: skip
                for name in names:
                    top = name.split(".")[0]
                    assert top not in {"fastapi", "starlette", "typer", "click", "uvicorn"}, (
                        f"{module} imports {name}"
                    )
                    assert not name.startswith("paccto.api"), f"{module} imports {name}"
