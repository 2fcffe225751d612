"""The examples in docstrings are run, so that they stay true.

Every module of ``graph/``, ``api/`` and ``ontology/`` whose docstrings hold an example
(``>>>``) is found by reading the files, imported as ``paccto.*`` and run through doctest; a
module that gains an example is tested without being listed here. Examples may use ``kg`` (the
seeds, loaded) and ``index`` (its name index).
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

from paccto.graph.model.knowledge_graph import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[1]

WITH_EXAMPLES = sorted(
    path.relative_to(ROOT)
    for folder in ("graph", "api", "ontology")
    for path in (ROOT / folder).rglob("*.py")
    if ">>>" in path.read_text(encoding="utf-8")
)


def test_the_examples_are_found() -> None:
    assert len(WITH_EXAMPLES) >= 5


@pytest.mark.parametrize("path", WITH_EXAMPLES, ids=str)
def test_docstring_examples_hold(path: Path, kg: KnowledgeGraph) -> None:
    module = importlib.import_module("paccto." + ".".join(path.with_suffix("").parts))
    result = doctest.testmod(
        module,
        extraglobs={"kg": kg, "index": kg.index},
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 0, f"{path} has '>>>' but doctest found no example"
    assert result.failed == 0, f"{result.failed} example(s) in {path} failed (see above)"
