"""The synthetic graph generator (benchmarks/synthetic.py) writes data the project accepts.

A benchmark on data that fails validation would measure the wrong thing, so a small graph is
generated through the command line and loaded with the project's own validation (SHACL shapes and
the provenance rule), without the seeds.
"""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from paccto.graph.load.loading import load_knowledge_graph
from paccto.graph.model.folding import MEMBER_OF
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import get_settings

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "synthetic.py"
SIZE = 5000


@pytest.fixture(scope="module")
def synthetic() -> ModuleType:
    spec = importlib.util.spec_from_file_location("paccto_synthetic", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synthetic") / "syn-5k.trig"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--triples", str(SIZE), "--seed", "7", "-o", str(path)],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture(scope="module")
def loaded(generated: Path) -> KnowledgeGraph:
    return load_knowledge_graph(get_settings(include_seeds=False), [generated])


def test_a_small_synthetic_graph_passes_validation(loaded: KnowledgeGraph) -> None:
    ontology = len(loaded.dataset.graph(loaded.ids.ontology_graph))
    assert SIZE <= len(loaded) - ontology <= SIZE * 1.02


def test_it_has_the_shape_of_the_real_graph(loaded: KnowledgeGraph) -> None:
    graph = loaded.projection.graph
    keys = Counter(key.split("/")[0] for *_, key in graph.edges(keys=True))
    for relation in (
        "paccto:basedIn",
        "paccto:cooperatesWith",
        "paccto:helpedCreate",
        "paccto:participant",
        "org:subOrganizationOf",
        MEMBER_OF,
    ):
        assert keys[relation] > 0, relation
    # the reference proportions: 1 M triples hold about 66 000 entities and 320 000 edges
    assert 0.05 * SIZE < graph.number_of_nodes() < 0.08 * SIZE
    assert 0.25 * SIZE < graph.number_of_edges() < 0.4 * SIZE
    # a few hubs: the best-connected entity has many times the median degree
    degrees = sorted(degree for _, degree in graph.degree())
    assert degrees[-1] > 10 * degrees[len(degrees) // 2]
    memberships = [
        d for *_, key, d in graph.edges(keys=True, data=True) if key.startswith(MEMBER_OF)
    ]
    assert any(d["end"] for d in memberships) and any(not d["start"] for d in memberships)
    passages = loaded.data_graph_names()
    assert len(passages) > 100  # several facts per passage, not one graph per fact


def test_the_output_is_deterministic_for_a_seed(synthetic: ModuleType) -> None:
    first, second, other = io.StringIO(), io.StringIO(), io.StringIO()
    synthetic.generate(3000, first, seed=1)
    synthetic.generate(3000, second, seed=1)
    synthetic.generate(3000, other, seed=2)
    assert first.getvalue() == second.getvalue() != other.getvalue()
