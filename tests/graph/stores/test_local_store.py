"""An ``oxigraph:PATH`` store answers a command's question from the part of its projection the
question reads (``saved_parts``), with the saved name index, and gives the memory store's answers;
the ``sparql:URL`` store's fetching runs over the same store in this process and agrees too; a
missing, damaged or outdated saved file falls back to the whole projection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.names import EntityIndex
from paccto.graph.questions.analytics import brokers
from paccto.graph.questions.description import describe_entity
from paccto.graph.questions.membership import (
    common_memberships,
    members_by_phase,
    members_of,
    memberships_of,
)
from paccto.graph.questions.neighbourhood import neighbourhood_of
from paccto.graph.questions.paths import (
    PathOptions,
    PathQuestion,
    all_shortest_paths,
    k_shortest_paths,
    shortest_path,
)
from paccto.graph.questions.statistics import graph_statistics
from paccto.graph.stores import local_store, saved_parts
from paccto.graph.stores.local_sparql import LocalSparqlClient, remote_view
from paccto.graph.stores.local_store import LocalPart, LocalStoreGraph
from paccto.graph.stores.oxigraph_store import open_oxigraph_store, write_oxigraph_store
from paccto.graph.stores.saved_parts import PARTS_FILE, SavedEntityIndex

PATHS = [
    ("Spain", "AMERIPOL", PathOptions()),
    ("Spain", "Argentina", PathOptions(avoid_hubs=True)),
    ("CLASI", "Colombia", PathOptions.of(as_of=date(2020, 12, 31))),
    ("Colombia", "Argentina", PathOptions.of(relations=["member of"])),
    ("Spain", "Argentina", PathOptions.of(avoid=["European Union"], max_length=4)),
]


@pytest.fixture(scope="module")
def folder(kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("local") / "store"
    write_oxigraph_store(kg, folder)
    return folder


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return asdict(value)


def _same_answers(reference: KnowledgeGraph, graph: KnowledgeGraph) -> None:
    """The four commands' questions and their neighbours, on ``graph`` as on ``reference``."""

    def same(ask: Callable[[KnowledgeGraph], Any]) -> None:
        assert _plain(ask(graph)) == _plain(ask(reference))

    for name in ("European Union", "AMERIPOL", "CLASI"):
        for transitive in (False, True):
            same(lambda g, n=name, t=transitive: members_of(g, n, transitive=t))
    same(lambda g: members_of(g, "European Union", as_of=date(2015, 1, 1)))
    for name in ("Spain", "CLASI", "Colombia"):
        same(lambda g, n=name: memberships_of(g, n))
        same(lambda g, n=name: describe_entity(g, n))
    same(lambda g: members_by_phase(g))
    same(lambda g: common_memberships(g, "Spain", "Colombia"))
    for depth in (1, 2):
        same(lambda g, d=depth: neighbourhood_of(g, "CLASI", depth=d))
    for source, target, options in PATHS:
        same(lambda g, s=source, t=target, o=options: shortest_path(g, s, t, o))
        same(lambda g, s=source, t=target, o=options: all_shortest_paths(g, s, t, o))
        same(lambda g, s=source, t=target, o=options: k_shortest_paths(g, s, t, 3, o))
    same(lambda g: PathQuestion(source="Spain", target="Argentina").answer(g))


def test_a_command_reads_only_the_parts_its_question_needs(
    folder: Path, kg: KnowledgeGraph
) -> None:
    store = open_oxigraph_store(folder)
    assert isinstance(store, LocalStoreGraph)
    assert isinstance(store.index, SavedEntityIndex)
    _same_answers(kg, store)
    assert "projection" not in store.__dict__, "a question read the whole projection"


def test_each_question_gets_a_part_exact_at_what_it_expanded(folder: Path) -> None:
    store = open_oxigraph_store(folder)
    spain = store.index.resolve("Spain")
    fetch = store.fetch()
    assert fetch is not None
    part = fetch.expand([spain])
    assert isinstance(part, LocalPart)
    whole = open_oxigraph_store(folder).projection.graph
    graph = part.projection.graph
    # the projection itself at the entity: the same edges, attributes and order
    assert list(graph.out_edges(spain, keys=True, data=True)) == list(
        whole.out_edges(spain, keys=True, data=True)
    )
    assert list(graph.in_edges(spain, keys=True, data=True)) == list(
        whole.in_edges(spain, keys=True, data=True)
    )
    assert all(graph.nodes[node] == whole.nodes[node] for node in graph)
    assert part.dataset is store.dataset  # the quads are all at hand: only the projection is cut


def test_questions_that_read_every_quad_read_the_whole_projection(
    folder: Path, kg: KnowledgeGraph
) -> None:
    store = open_oxigraph_store(folder)
    assert _plain(graph_statistics(store)) == _plain(graph_statistics(kg))  # the quads
    assert _plain(brokers(store.projection)) == _plain(brokers(kg.projection))
    assert "projection" in store.__dict__
    assert store.fetch() is None and store.answers(("anything",))  # from memory from now on
    _same_answers(kg, store)


def test_a_class_filter_reads_the_catalogue_when_it_needs_it(
    folder: Path, kg: KnowledgeGraph
) -> None:
    store = open_oxigraph_store(folder)
    question = PathQuestion(source="Spain", target="Argentina", avoid_classes=["paccto:Region"])
    assert _plain(question.answer(store)) == _plain(question.answer(kg))


def test_a_part_near_the_whole_gives_way_to_the_whole(
    folder: Path, kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_store, "_WHOLE_FLOOR", 0)
    monkeypatch.setattr(local_store, "_WHOLE_SHARE", 0.01)
    store = open_oxigraph_store(folder)
    _same_answers(kg, store)
    assert "projection" in store.__dict__


def test_the_server_answers_from_memory(folder: Path) -> None:
    store = open_oxigraph_store(folder)
    store.warm_up()
    assert "projection" in store.__dict__ and store.fetch() is None
    assert type(store.index) is EntityIndex


def test_the_sparql_stores_fetching_runs_over_a_local_store(
    folder: Path, kg: KnowledgeGraph
) -> None:
    remote = remote_view(open_oxigraph_store(folder))
    assert isinstance(remote.client, LocalSparqlClient)
    _same_answers(kg, remote)
    for name in ("id:clasi", "méxico", "Instituto Camões", "MX"):
        assert remote.index.resolve(name) == kg.index.resolve(name)
    assert "whole" not in remote.__dict__, "a question copied the whole graph"


# --- the saved file, missing or damaged -------------------------------------------------------


def _version(folder: Path) -> Path:
    return (folder / "current").resolve()


@pytest.fixture
def copied(folder: Path, tmp_path: Path) -> Path:
    """A store of the test's own, whose saved file it may damage."""
    import shutil

    target = tmp_path / "store"
    shutil.copytree(folder, target, symlinks=True, ignore=shutil.ignore_patterns("*.lease"))
    return target


def _falls_back(folder: Path, kg: KnowledgeGraph) -> None:
    store = open_oxigraph_store(folder)
    assert store.fetch() is None
    assert type(store.index) is EntityIndex
    _same_answers(kg, store)


def test_a_missing_saved_file_falls_back_to_the_whole_projection(
    copied: Path, kg: KnowledgeGraph
) -> None:
    (_version(copied) / PARTS_FILE).unlink()
    _falls_back(copied, kg)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_saved_file_falls_back_to_the_whole_projection(
    copied: Path, kg: KnowledgeGraph, damage: str
) -> None:
    path = _version(copied) / PARTS_FILE
    data = path.read_bytes()
    written = {"garbage": b"not a database " * 100, "truncated": data[:4096], "empty": b""}
    path.write_bytes(written[damage])
    _falls_back(copied, kg)


def test_a_file_saved_by_other_code_is_not_used(
    copied: Path, kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(saved_parts, "_fingerprint", lambda: "another version of the code")
    _falls_back(copied, kg)
