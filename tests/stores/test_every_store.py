"""Every kind of store answers every question as the graph loaded from the files does.

One suite, run once per entry of the store registry: ``memory`` (the files loaded again through
the registry), ``oxigraph`` (the seeds written by the registry's writer to a folder, then opened)
and ``sparql`` (the session's Virtuoso, holding the seeds' N-Quads export). Each answer is
compared with the reference graph's, and a few are pinned to what the seeds state, so that a
store that agrees with a broken reference still fails. A new store joins by its registry entry
and one branch in ``conftest.seeded_store``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from paccto.graph.errors import PacctoError
from paccto.graph.model.catalogue import organisations_with_members
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.publish.export import export_graph, export_table
from paccto.graph.questions.analytics import bridging_links, brokers, communities
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
    all_shortest_paths,
    hub_entities,
    k_shortest_paths,
    path_scope,
    shortest_path,
)
from paccto.graph.questions.statistics import graph_statistics
from paccto.graph.render.views import entity_view, graph_view, members_view, path_view, phase_view
from paccto.graph.settings import get_settings
from paccto.graph.sparql.query import QueryResult, run_query
from paccto.graph.sparql.stored_queries import stored_queries, stored_query
from paccto.graph.store_address import parse_store
from paccto.graph.store_registry import (
    STORE_KINDS,
    Capability,
    open_knowledge_graph,
    query_service_for,
    write_store,
)
from paccto.graph.stores.write_options import WriteOptions

ID = "https://w3id.org/paccto-graph/id/"


@pytest.fixture(scope="module")
def store(seeded_store: tuple[str, KnowledgeGraph]) -> KnowledgeGraph:
    """The seeds, opened through the registry from a store of each kind (``conftest.py``)."""
    return seeded_store[1]


def _same(expected: Any, answered: Any) -> None:
    as_data = (lambda value: [asdict(v) for v in value]) if isinstance(expected, list) else asdict
    assert as_data(answered) == as_data(expected)


def _iris(*ids: str) -> set[str]:
    return {ID + i for i in ids}


# --- what the registry declares -------------------------------------------------------------


def test_each_kind_declares_what_its_code_does() -> None:
    for kind in STORE_KINDS.values():
        assert kind.can(Capability.WRITE) == (kind.write is not None), kind.name
        assert kind.can(Capability.HOLD_WHOLE_GRAPH) != kind.can(Capability.FETCH_PARTS)
        assert kind.can(Capability.SPARQL_IN_WORKERS) != kind.can(Capability.SPARQL_ON_SERVER)
        assert kind.address.split(":")[0] == kind.name


def test_the_store_holds_the_seeds(store: KnowledgeGraph, kg: KnowledgeGraph) -> None:
    assert len(store) == len(kg)
    assert store.data_graph_names() == kg.data_graph_names()
    assert set(store.catalogue.graph.nodes) == set(kg.projection.graph.nodes)


def test_a_kind_that_is_not_written_says_which_are(kg: KnowledgeGraph) -> None:
    with pytest.raises(PacctoError, match=r"oxigraph:PATH or sparql:URL"):
        write_store(parse_store("memory"), get_settings(), [], WriteOptions())


# --- paths ----------------------------------------------------------------------------------

PATH_CASES = [
    ("Spain", "AMERIPOL", PathOptions()),
    ("Spain", "Argentina", PathOptions(avoid_hubs=True)),
    ("CLASI", "Colombia", PathOptions.of(as_of=__import__("datetime").date(2020, 12, 31))),
    ("Colombia", "Argentina", PathOptions.of(relations=["member of"])),
    ("Spain", "Argentina", PathOptions.of(avoid_classes=["paccto:Region"])),
    ("Spain", "Argentina", PathOptions.of(avoid=["European Union"], max_length=4)),
]


@pytest.mark.parametrize(("source", "target", "options"), PATH_CASES)
def test_paths(
    store: KnowledgeGraph, kg: KnowledgeGraph, source: str, target: str, options: PathOptions
) -> None:
    _same(shortest_path(kg, source, target, options), shortest_path(store, source, target, options))
    _same(
        all_shortest_paths(kg, source, target, options),
        all_shortest_paths(store, source, target, options),
    )
    _same(
        k_shortest_paths(kg, source, target, 3, options),
        k_shortest_paths(store, source, target, 3, options),
    )


def test_the_seeds_shortest_path_and_hubs(store: KnowledgeGraph) -> None:
    path = shortest_path(store, "Spain", "AMERIPOL")
    assert [entity["id"] for entity in path.entities] == ["spain", "phase-2", "ameripol"]
    assert path.hubs == ["phase-2"]
    assert len(k_shortest_paths(store, "Spain", "AMERIPOL", 3)) == 3
    part = store if store.fetch() is None else shortest_path_part(store)
    assert hub_entities(part) == _iris("phase-1", "phase-2", "european-union", "latin-america")


def shortest_path_part(store: KnowledgeGraph) -> KnowledgeGraph:
    """The part of a store's graph a search reads: hubs are decided there, from the whole."""
    return path_scope(store, "Spain", "AMERIPOL", PathOptions())[0]


def test_no_path_and_unknown_names_are_the_same_errors(
    store: KnowledgeGraph, kg: KnowledgeGraph
) -> None:
    options = PathOptions.of(relations=["member of"], max_length=1)
    messages = []
    for graph in (kg, store):
        with pytest.raises(PacctoError) as no_path:
            shortest_path(graph, "Spain", "AMERIPOL", options)
        with pytest.raises(PacctoError) as unknown:
            shortest_path(graph, "Spain", "Atlantis", options)
        messages.append((str(no_path.value), str(unknown.value)))
    assert messages[0] == messages[1]
    assert "no path between Spain and AMERIPOL within 1 steps" in messages[1][0]


# --- members, memberships, neighbourhoods, descriptions, search ---------------------------


@pytest.mark.parametrize(
    ("name", "transitive"),
    [("European Union", False), ("european-commission", True), ("phase-1", False)],
)
def test_members(store: KnowledgeGraph, kg: KnowledgeGraph, name: str, transitive: bool) -> None:
    expected = members_of(kg, name, transitive=transitive)
    assert expected
    _same(expected, members_of(store, name, transitive=transitive))


def test_the_seeds_members_of_the_eu(store: KnowledgeGraph) -> None:
    assert sorted(m.member_label for m in members_of(store, "European Union")) == [
        "France", "Italy", "Netherlands", "Portugal", "Spain",
    ]  # fmt: skip


def test_memberships_common_ones_and_by_phase(store: KnowledgeGraph, kg: KnowledgeGraph) -> None:
    _same(memberships_of(kg, "Spain"), memberships_of(store, "Spain"))
    _same(
        common_memberships(kg, "Spain", "Argentina"),
        common_memberships(store, "Spain", "Argentina"),
    )
    assert {phase: [asdict(m) for m in ms] for phase, ms in members_by_phase(store).items()} == {
        phase: [asdict(m) for m in ms] for phase, ms in members_by_phase(kg).items()
    }
    assert organisations_with_members(store) == organisations_with_members(kg)


@pytest.mark.parametrize("depth", [1, 2])
def test_neighbourhoods_and_descriptions(
    store: KnowledgeGraph, kg: KnowledgeGraph, depth: int
) -> None:
    _same(neighbourhood_of(kg, "CLASI", depth=depth), neighbourhood_of(store, "CLASI", depth=depth))
    for name in ("CLASI", "Spain"):
        _same(describe_entity(kg, name), describe_entity(store, name))


def test_search(store: KnowledgeGraph, kg: KnowledgeGraph) -> None:
    for text in ("camoes", "justice", "ameripol", "mexico", "prison"):
        assert store.index.search(text) == kg.index.search(text)
    for name in ("id:clasi", "méxico", "Instituto Camões"):
        assert store.index.resolve(name) == kg.index.resolve(name)


# --- questions that read every quad ---------------------------------------------------------


def test_statistics_and_analytics(store: KnowledgeGraph, kg: KnowledgeGraph) -> None:
    statistics = graph_statistics(store)
    _same(graph_statistics(kg), statistics)
    assert (statistics.sources, statistics.passages) == (5, 93)
    _same(brokers(kg.projection), brokers(store.projection))
    _same(bridging_links(kg.projection), bridging_links(store.projection))
    _same(communities(kg.projection), communities(store.projection))


@pytest.mark.parametrize("format", ["nq", "trig", "graphml", "csv-nodes", "csv-edges"])
def test_exports_hold_the_same_statements(
    store: KnowledgeGraph, kg: KnowledgeGraph, format: str
) -> None:
    def lines(graph: KnowledgeGraph) -> list[Any]:
        if format == "graphml":  # key ids (d0, d1, ...) follow attribute order: compare content
            network = nx.read_graphml(io.BytesIO(export_graph(graph, format)))
            items = [*network.nodes(data=True), *network.edges(data=True)]
            return sorted(repr((*item[:-1], sorted(item[-1].items()))) for item in items)
        if format.startswith("csv-"):
            body = export_table(graph, format.removeprefix("csv-"))
        else:
            body = export_graph(graph, format)
        return sorted(body.splitlines())

    expected = lines(kg)
    assert expected
    assert lines(store) == expected


# --- views ------------------------------------------------------------------------------------


def _drawn(view: Any) -> tuple[set[str], set[tuple[str, str, str]], str]:
    return (
        {node.id for node in view.nodes},
        {(edge.source, edge.target, edge.relation) for edge in view.edges},
        view.title,
    )


VIEWS: list[Callable[[KnowledgeGraph], Any]] = [
    lambda g: entity_view(g, "CLASI", depth=2),
    lambda g: path_view(g, "Spain", "AMERIPOL", k=3),
    lambda g: members_view(g, "el-paccto", transitive=True),
    lambda g: phase_view(g, "2"),
    lambda g: graph_view(g),
]


@pytest.mark.parametrize("build", VIEWS, ids=["entity", "path", "members", "phase", "graph"])
def test_views(store: KnowledgeGraph, kg: KnowledgeGraph, build: Callable[..., Any]) -> None:
    expected = _drawn(build(kg))
    assert expected[0]
    assert _drawn(build(store)) == expected


# --- SPARQL -----------------------------------------------------------------------------------


def _rows(result: QueryResult) -> list[str]:
    if result.graph is not None:
        return sorted(str(tuple(map(str, triple))) for triple in result.graph)
    if result.boolean is not None:
        return [str(result.boolean)]
    return sorted(str(tuple(map(str, row))) for row in result.rows or [])


#: A stored query counting inside GRAPH ?g, which on Virtuoso also ranges over the merge graph
#: and the server's system graphs: held to every front end in test_default_graph.py.
COUNTING = {"statements-counted"}


def _stored(store: KnowledgeGraph) -> list[Any]:
    server = STORE_KINDS[store.store_kind].can(Capability.SPARQL_ON_SERVER)
    return [q for q in stored_queries() if not (server and q.name in COUNTING)]


def test_every_stored_query_through_the_library(store: KnowledgeGraph, kg: KnowledgeGraph) -> None:
    for query in _stored(store):
        text = stored_query(query.name, kg).text
        expected = run_query(kg, text)
        answered = run_query(store, text)
        assert expected.rows or expected.graph is not None, query.name
        assert answered.variables == expected.variables, query.name
        assert _rows(answered) == _rows(expected), query.name


def test_every_stored_query_through_the_query_service(
    store: KnowledgeGraph, kg: KnowledgeGraph
) -> None:
    """The service ``paccto serve`` puts behind /sparql for this kind of store."""
    settings = get_settings(sparql_workers=1)
    reference = query_service_for(kg, settings)
    service = query_service_for(store, settings)
    try:
        for query in _stored(store):
            text = stored_query(query.name, kg).text
            expected = reference.evaluate(text, ("csv",))
            answered = service.evaluate(text, ("csv",))
            assert expected.count > 0, query.name
            assert sorted(answered.body.splitlines()) == sorted(expected.body.splitlines()), (
                query.name
            )
    finally:
        service.close()
        reference.close()


def test_the_store_folder_is_left_to_the_store(tmp_path: Path) -> None:
    """Extra files are refused by the stores read as they are, named with what to do."""
    for kind in STORE_KINDS.values():
        if kind.can(Capability.HOLD_WHOLE_GRAPH) and kind.can(Capability.WRITE):
            address = f"{kind.name}:{tmp_path / kind.name}"
            with pytest.raises(PacctoError, match="paccto load --store"):
                open_knowledge_graph(get_settings(store=address), [tmp_path / "extra.ttl"])
