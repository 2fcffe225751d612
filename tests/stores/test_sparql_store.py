"""The ``sparql:URL`` store against a real Virtuoso holding the seed facts: every question the
store answers gives the embedded store's answer, and what it cannot answer says so.

The server is the session's Virtuoso (``conftest.py``); nothing here writes to it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_servers import paccto_serve
from SPARQLWrapper import JSON, SPARQLWrapper
from virtuoso_server import VirtuosoServer

from paccto.graph.errors import (
    ExpansionLimitError,
    NotSupportedByStoreError,
    PacctoError,
    QueryError,
    StoreUnavailableError,
    UpdateRefusedError,
)
from paccto.graph.model.catalogue import organisations_with_members
from paccto.graph.model.knowledge_graph import KnowledgeGraph
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
    shortest_path,
)
from paccto.graph.questions.statistics import graph_statistics
from paccto.graph.render.views import entity_view, graph_view, members_view, path_view, phase_view
from paccto.graph.settings import get_settings
from paccto.graph.sparql.query import run_query
from paccto.graph.sparql.stored_queries import stored_queries, stored_query
from paccto.graph.stores import sparql_store
from paccto.graph.stores.opening import open_knowledge_graph
from paccto.graph.stores.sparql_client import SparqlClient
from paccto.graph.stores.sparql_store import RemoteKnowledgeGraph

pytestmark = pytest.mark.virtuoso


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = shutil.which("paccto")
    assert command is not None, "the paccto command is not installed"
    return subprocess.run(
        [command, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def remote(virtuoso: VirtuosoServer) -> KnowledgeGraph:
    return open_knowledge_graph(get_settings(store=f"sparql:{virtuoso.sparql_url}"))


def _same(first: Any, second: Any) -> None:
    as_data = (lambda value: [asdict(v) for v in value]) if isinstance(first, list) else asdict
    assert as_data(second) == as_data(first)


# --- the store reads nothing whole ----------------------------------------------------------


def test_the_remote_graph_holds_no_quads_here(remote: KnowledgeGraph, kg: KnowledgeGraph) -> None:
    """Opening reads the names and classes of the entities, not the facts."""
    assert isinstance(remote, RemoteKnowledgeGraph)
    assert remote.catalogue.graph.number_of_edges() == 0
    assert set(remote.catalogue.graph.nodes) == set(kg.projection.graph.nodes)
    assert len(remote) == len(kg)
    assert remote.data_graph_names() == kg.data_graph_names()


def test_hubs_are_decided_from_the_servers_degrees(
    remote: RemoteKnowledgeGraph, kg: KnowledgeGraph
) -> None:
    assert remote.hubs == frozenset(hub_entities(kg))
    assert remote.hubs, "the seeds have hubs; an empty set would prove nothing"


# --- paths, members, neighbourhoods: the same answers ---------------------------------------

PATH_CASES = [
    ("Spain", "AMERIPOL", PathOptions()),
    ("Spain", "Argentina", PathOptions(avoid_hubs=True)),
    ("CLASI", "Colombia", PathOptions.of(as_of=__import__("datetime").date(2020, 12, 31))),
    ("Colombia", "Argentina", PathOptions.of(relations=["member of"])),
    ("Spain", "Argentina", PathOptions.of(avoid_classes=["paccto:Region"])),
    ("Spain", "Argentina", PathOptions.of(avoid=["European Union"], max_length=4)),
]


@pytest.mark.parametrize(("source", "target", "options"), PATH_CASES)
def test_paths_are_the_embedded_ones(
    remote: KnowledgeGraph, kg: KnowledgeGraph, source: str, target: str, options: PathOptions
) -> None:
    _same(
        shortest_path(kg, source, target, options), shortest_path(remote, source, target, options)
    )
    _same(
        all_shortest_paths(kg, source, target, options),
        all_shortest_paths(remote, source, target, options),
    )
    _same(
        k_shortest_paths(kg, source, target, 3, options),
        k_shortest_paths(remote, source, target, 3, options),
    )


def test_no_path_and_unknown_names_are_the_same_errors(
    remote: KnowledgeGraph, kg: KnowledgeGraph
) -> None:
    options = PathOptions.of(relations=["member of"], max_length=1)
    for graph in (kg, remote):
        with pytest.raises(PacctoError) as caught:
            shortest_path(graph, "Spain", "AMERIPOL", options)
        with pytest.raises(PacctoError) as unknown:
            shortest_path(graph, "Spain", "Atlantis", options)
        if graph is kg:
            expected = (str(caught.value), str(unknown.value))
    assert (str(caught.value), str(unknown.value)) == expected


@pytest.mark.parametrize(
    ("name", "transitive"),
    [("European Union", False), ("european-commission", True), ("phase-1", False)],
)
def test_members_are_the_embedded_ones(
    remote: KnowledgeGraph, kg: KnowledgeGraph, name: str, transitive: bool
) -> None:
    expected = members_of(kg, name, transitive=transitive)
    assert expected
    _same(expected, members_of(remote, name, transitive=transitive))


def test_memberships_and_common_ones_are_the_embedded_ones(
    remote: KnowledgeGraph, kg: KnowledgeGraph
) -> None:
    _same(memberships_of(kg, "Spain"), memberships_of(remote, "Spain"))
    _same(
        common_memberships(kg, "Spain", "Argentina"),
        common_memberships(remote, "Spain", "Argentina"),
    )
    by_phase = members_by_phase(remote)
    assert {phase: [asdict(m) for m in ms] for phase, ms in by_phase.items()} == {
        phase: [asdict(m) for m in ms] for phase, ms in members_by_phase(kg).items()
    }


@pytest.mark.parametrize("depth", [1, 2])
def test_neighbourhoods_and_descriptions_are_the_embedded_ones(
    remote: KnowledgeGraph, kg: KnowledgeGraph, depth: int
) -> None:
    _same(
        neighbourhood_of(kg, "CLASI", depth=depth), neighbourhood_of(remote, "CLASI", depth=depth)
    )
    _same(describe_entity(kg, "CLASI"), describe_entity(remote, "CLASI"))
    _same(describe_entity(kg, "Spain"), describe_entity(remote, "Spain"))


def test_the_networks_with_members_are_the_embedded_ones(
    remote: KnowledgeGraph, kg: KnowledgeGraph
) -> None:
    assert organisations_with_members(remote) == organisations_with_members(kg)


def test_search_is_the_embedded_one(remote: KnowledgeGraph, kg: KnowledgeGraph) -> None:
    for text in ("camoes", "justice", "ameripol", "mexico"):
        assert remote.index.search(text) == kg.index.search(text)
    for name in ("id:clasi", "méxico", "Instituto Camões"):
        assert remote.index.resolve(name) == kg.index.resolve(name)


def _drawn(view: Any) -> tuple[set[str], set[tuple[str, str, str]], str]:
    return (
        {node.id for node in view.nodes},
        {(edge.source, edge.target, edge.relation) for edge in view.edges},
        view.title,
    )


def test_views_are_the_embedded_ones(remote: KnowledgeGraph, kg: KnowledgeGraph) -> None:
    for build in (
        lambda g: entity_view(g, "CLASI", depth=2),
        lambda g: path_view(g, "Spain", "AMERIPOL", k=3),
        lambda g: members_view(g, "el-paccto", transitive=True),
        lambda g: phase_view(g, "2"),
    ):
        assert _drawn(build(remote)) == _drawn(build(kg))


def test_every_stored_query_gives_the_embedded_rows(
    remote: KnowledgeGraph, kg: KnowledgeGraph
) -> None:
    for query in stored_queries():
        text = stored_query(query.name, kg).text
        expected = run_query(kg, text)
        served = run_query(remote, text)
        assert served.variables == expected.variables, query.name
        assert sorted(map(str, served.rows)) == sorted(map(str, expected.rows)), query.name
        assert expected.rows, query.name


# --- what the store refuses, and how ---------------------------------------------------------


def test_questions_about_the_whole_graph_say_the_store_cannot_answer(
    remote: KnowledgeGraph,
) -> None:
    for question in (graph_statistics, graph_view):
        with pytest.raises(NotSupportedByStoreError, match="oxigraph: store"):
            question(remote)


def test_updates_and_service_never_reach_the_server(remote: KnowledgeGraph) -> None:
    with pytest.raises(UpdateRefusedError):
        run_query(remote, "INSERT DATA { id:a id:b id:c }")
    with pytest.raises(QueryError, match="SERVICE"):
        run_query(remote, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


def test_a_question_too_broad_for_the_bound_is_refused(virtuoso: VirtuosoServer) -> None:
    small = open_knowledge_graph(
        get_settings(store=f"sparql:{virtuoso.sparql_url}", store_max_entities=10)
    )
    with pytest.raises(ExpansionLimitError, match="PACCTO_STORE_MAX_ENTITIES"):
        neighbourhood_of(small, "phase-1", depth=2)


def test_an_unreachable_server_is_named() -> None:
    with pytest.raises(StoreUnavailableError, match=r"127\.0\.0\.1:9/sparql cannot be reached"):
        open_knowledge_graph(get_settings(store="sparql:http://127.0.0.1:9/sparql"))


def test_an_empty_server_is_refused_with_what_to_do(virtuoso: VirtuosoServer) -> None:
    with pytest.raises(PacctoError, match="paccto load --store"):
        open_knowledge_graph(
            get_settings(store=f"sparql:{virtuoso.sparql_url}", base_iri="https://example.org/x/")
        )


def _recording_selects(monkeypatch: pytest.MonkeyPatch, cap: int | None = None) -> list[str]:
    """Every SELECT the store sends from now on; ``cap``: answers are cut to that many rows,
    silently, as Virtuoso's ``ResultSetMaxRows`` cuts them."""
    sent: list[str] = []
    select = SparqlClient.select

    def recorded(client: SparqlClient, text: str) -> list[tuple[Any, ...]]:
        sent.append(text)
        rows = select(client, text)
        return rows if cap is None else rows[:cap]

    monkeypatch.setattr(SparqlClient, "select", recorded)
    return sent


def test_a_server_without_a_small_row_cap_gives_the_catalogue_in_one_answer(
    virtuoso: VirtuosoServer, remote: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = _recording_selects(monkeypatch)
    fresh = open_knowledge_graph(get_settings(store=f"sparql:{virtuoso.sparql_url}"))
    assert dict(fresh.catalogue.graph.nodes(data=True)) == dict(
        remote.catalogue.graph.nodes(data=True)
    )
    assert not [text for text in sent if "ORDER BY STR(?s)" in text]  # no pages, no sorting


def test_the_catalogue_read_in_small_pages_is_the_whole_one(
    virtuoso: VirtuosoServer, remote: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that cuts answers at 40 rows: the one-answer read is seen to be cut, and the
    pages end inside a subject's rows, which is read again whole in the next page."""
    whole = dict(remote.catalogue.graph.nodes(data=True))
    monkeypatch.setattr(sparql_store, "_PAGE", 40)
    sent = _recording_selects(monkeypatch, cap=40)
    paged = open_knowledge_graph(get_settings(store=f"sparql:{virtuoso.sparql_url}"))
    assert dict(paged.catalogue.graph.nodes(data=True)) == whole
    assert len([text for text in sent if "ORDER BY STR(?s)" in text]) > len(whole) // 40
    assert paged.index.resolve("Instituto Camões") == remote.index.resolve("Instituto Camões")


# --- end to end: the command line and the server --------------------------------------------


def test_the_command_line_answers_the_same_on_the_server(
    virtuoso: VirtuosoServer, tmp_path: Path
) -> None:
    store = f"sparql:{virtuoso.sparql_url}"
    for command in (
        ("path", "Spain", "AMERIPOL", "--json"),
        ("members", "el-paccto", "--transitive", "--json"),
        ("sparql", stored_query("cq06-clasi-counterparts").text, "--format", "json"),
    ):
        embedded = run(*command, cwd=tmp_path)
        served = run("--store", store, *command, cwd=tmp_path)
        assert embedded.returncode == served.returncode == 0, served.stderr
        assert json.loads(served.stdout) == json.loads(embedded.stdout)
    refused = run("--store", store, "stats", cwd=tmp_path)
    assert refused.returncode == 1
    assert "needs the whole graph" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_serve_answers_over_http_as_on_the_embedded_store(
    virtuoso: VirtuosoServer, kg: KnowledgeGraph, tmp_path: Path
) -> None:
    query = stored_query("cq01-phase-1-countries", kg).text
    with paccto_serve(tmp_path, before=("--store", f"sparql:{virtuoso.sparql_url}")) as base:
        path = httpx.get(f"{base}/api/paths", params={"source": "Spain", "target": "AMERIPOL"})
        assert path.status_code == 200
        assert [e["id"] for e in path.json()["paths"][0]["entities"]] == [
            e["id"] for e in shortest_path(kg, "Spain", "AMERIPOL").entities
        ]
        client = SPARQLWrapper(f"{base}/sparql")
        client.setQuery(query)
        client.setReturnFormat(JSON)
        answer = client.queryAndConvert()
        assert isinstance(answer, dict)
        assert len(answer["results"]["bindings"]) == len(run_query(kg, query).rows)
        update = httpx.post(f"{base}/sparql", data={"update": "CLEAR ALL"})
        assert update.status_code in (400, 403)
        stats = httpx.get(f"{base}/api/statistics")
        assert stats.status_code == 501
        assert stats.headers["content-type"].startswith("application/problem+json")
        members = httpx.get(f"{base}/explore/members/european-union")
        assert members.status_code == 200
        for member in members_of(kg, "european-union"):
            assert member.member_label in members.text
        home = httpx.get(f"{base}/")
        assert home.status_code == 200
        assert "/explore/members/phase-1" in home.text
