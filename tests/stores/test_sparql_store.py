"""What only the ``sparql:URL`` store does, against a real Virtuoso holding the seed facts: it
reads nothing whole until a question needs every quad, pages what the server cuts, refuses what
is too broad, and serves the command line and HTTP as the embedded store does. The answers to
every question, compared with the embedded store's, are in ``test_every_store.py``.

The server is the session's Virtuoso (``conftest.py``); nothing here writes to it.
"""

from __future__ import annotations

import json
import os
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
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.questions.membership import (
    members_of,
)
from paccto.graph.questions.neighbourhood import neighbourhood_of
from paccto.graph.questions.paths import (
    shortest_path,
)
from paccto.graph.questions.statistics import graph_statistics
from paccto.graph.render.views import graph_view
from paccto.graph.settings import get_settings
from paccto.graph.sparql.query import run_query
from paccto.graph.sparql.stored_queries import stored_query
from paccto.graph.store_registry import open_knowledge_graph
from paccto.graph.stores import sparql_store
from paccto.graph.stores.sparql_client import SparqlClient
from paccto.graph.stores.sparql_store import RemoteKnowledgeGraph

pytestmark = pytest.mark.virtuoso


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = shutil.which("paccto")
    assert command is not None, "the paccto command is not installed"
    return subprocess.run(
        [command, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
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
    assert "whole" not in vars(remote)
    assert set(remote.catalogue.graph.nodes) == set(kg.projection.graph.nodes)
    assert len(remote) == len(kg)
    assert remote.data_graph_names() == kg.data_graph_names()


def test_neighbour_counts_come_from_the_server_without_copying_the_graph(
    virtuoso: VirtuosoServer, kg: KnowledgeGraph
) -> None:
    fresh = open_knowledge_graph(get_settings(store=f"sparql:{virtuoso.sparql_url}"))
    assert isinstance(fresh, RemoteKnowledgeGraph)
    assert fresh.neighbour_counts() == kg.neighbour_counts()
    assert "whole" not in vars(fresh), "the counts must not copy the whole graph"


# --- what the store refuses, and how ---------------------------------------------------------


def test_questions_about_the_whole_graph_copy_it_once_within_the_bound(
    virtuoso: VirtuosoServer, kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = open_knowledge_graph(get_settings(store=f"sparql:{virtuoso.sparql_url}"))
    sent = _recording_selects(monkeypatch)
    assert graph_statistics(remote) == graph_statistics(kg)
    assert _drawn(graph_view(remote)) == _drawn(graph_view(kg))
    copies = [text for text in sent if text.startswith("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g")]
    assert len(copies) == 1, "the whole graph is copied once, in one answer"
    small = open_knowledge_graph(
        get_settings(store=f"sparql:{virtuoso.sparql_url}", store_max_copied_quads=100)
    )
    for question in (graph_statistics, graph_view):
        with pytest.raises(NotSupportedByStoreError, match="PACCTO_STORE_MAX_COPIED_QUADS"):
            question(small)


def _drawn(view: Any) -> tuple[set[str], set[tuple[str, str, str]]]:
    return (
        {node.id for node in view.nodes},
        {(edge.source, edge.target, edge.relation) for edge in view.edges},
    )


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
    embedded = run("stats", "--json", cwd=tmp_path)
    copied = run("--store", store, "stats", "--json", cwd=tmp_path)
    assert copied.returncode == 0, copied.stderr
    assert json.loads(copied.stdout) == json.loads(embedded.stdout)
    refused = run(
        "--store", store, "stats", cwd=tmp_path, env={"PACCTO_STORE_MAX_COPIED_QUADS": "10"}
    )
    assert refused.returncode == 1
    assert "PACCTO_STORE_MAX_COPIED_QUADS" in refused.stderr
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
        assert stats.status_code == 200
        assert stats.json()["entities"] == graph_statistics(kg).entities
        members = httpx.get(f"{base}/explore/members/european-union")
        assert members.status_code == 200
        for member in members_of(kg, "european-union"):
            assert member.member_label in members.text
        home = httpx.get(f"{base}/")
        assert home.status_code == 200
        assert "/explore/members/phase-1" in home.text
