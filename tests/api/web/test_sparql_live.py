"""A live ``paccto serve`` on loopback, queried with a real SPARQL client (SPARQLWrapper)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
import urllib.error
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Graph, URIRef
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import EndPointNotFound, QueryBadFormed

PACCTO = shutil.which("paccto")
pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(PACCTO is None, reason="the paccto command is not installed"),
]
NETWORKS = (
    "PREFIX paccto: <https://w3id.org/paccto-graph/ontology#> "
    "SELECT ?n WHERE { ?n a paccto:Network } ORDER BY ?n"
)
CIBELA = "https://w3id.org/paccto-graph/id/cibela"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _client(server: str, fmt: str, method: str = GET, query: str = NETWORKS) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method == POSTDIRECTLY:
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
    else:
        client.setMethod(method)
    return client


@pytest.mark.parametrize("method", [GET, POST, POSTDIRECTLY])
def test_select_as_json_by_every_method(live_server: str, method: str) -> None:
    answer: Any = _client(live_server, JSON, method).queryAndConvert()
    networks = [binding["n"]["value"] for binding in answer["results"]["bindings"]]
    assert CIBELA in networks and networks == sorted(networks)


def test_select_as_xml(live_server: str) -> None:
    document: Any = _client(live_server, XML).queryAndConvert()
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]
    assert CIBELA in uris


@pytest.mark.parametrize("fmt", [CSV, TSV])
def test_select_as_csv_and_tsv(live_server: str, fmt: str) -> None:
    text = _client(live_server, fmt).queryAndConvert()
    assert isinstance(text, bytes)
    lines = text.decode().splitlines()
    assert lines[0] == ("n" if fmt == CSV else "?n")
    assert (CIBELA if fmt == CSV else f"<{CIBELA}>") in lines


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(live_server: str, fmt: str) -> None:
    query = f"ASK {{ <{CIBELA}> a <https://w3id.org/paccto-graph/ontology#Network> }}"
    result = _client(live_server, fmt, query=query).query()
    assert (
        result._convertJSON()["boolean"] is True
        if fmt == JSON
        else (result.convert().getElementsByTagName("boolean")[0].firstChild.data == "true")
    )


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD])
def test_construct_in_every_graph_format(live_server: str, fmt: str) -> None:
    query = (
        "PREFIX paccto: <https://w3id.org/paccto-graph/ontology#> "
        "CONSTRUCT { ?n a paccto:Network } WHERE { ?n a paccto:Network }"
    )
    converted = _client(live_server, fmt, query=query).queryAndConvert()
    graph = (
        converted
        if isinstance(converted, Graph)
        else Graph().parse(data=converted, format="turtle")
    )
    assert (URIRef(CIBELA), None, None) in graph


def test_errors_reach_the_client_with_the_parsers_message(live_server: str) -> None:
    with pytest.raises(QueryBadFormed, match="1:"):
        _client(live_server, JSON, query="SELECT * WHERE { ?s ?p").query()


def test_updates_are_refused(live_server: str) -> None:
    client = _client(live_server, JSON, POST, query="DROP ALL")
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.query()
    assert refused.value.code == 403
    answer: Any = _client(live_server, JSON).queryAndConvert()
    assert answer["results"]["bindings"]


@pytest.mark.parametrize("silent", ["", "SILENT "])
def test_service_is_refused_and_nothing_is_contacted(live_server: str, silent: str) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(3)
    port = listener.getsockname()[1]
    contacted: list[object] = []

    def accept() -> None:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        contacted.append(connection)
        connection.close()

    waiter = threading.Thread(target=accept)
    waiter.start()
    query = f"SELECT * WHERE {{ SERVICE {silent}<http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    try:
        response = httpx.get(f"{live_server}/sparql", params={"query": query}, timeout=10)
        assert response.status_code == 400
        assert response.json()["type"] == "/problems#refused-query"
        assert "SERVICE" in response.json()["detail"]
    finally:
        waiter.join()
        listener.close()
    assert contacted == []


def test_a_runaway_query_is_stopped_at_the_limit_while_others_are_answered(
    live_server: str, live_server_timeout: float
) -> None:
    before = httpx.get(f"{live_server}/health", timeout=5).json()
    outcome: dict[str, Any] = {}

    def runaway() -> None:
        started = time.monotonic()
        response = httpx.get(f"{live_server}/sparql", params={"query": RUNAWAY}, timeout=30)
        outcome["elapsed"] = time.monotonic() - started
        outcome["response"] = response

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.4)
    # While the runaway query runs: other SPARQL queries and other routes are answered.
    started = time.monotonic()
    during = httpx.get(f"{live_server}/sparql", params={"query": NETWORKS}, timeout=10)
    during_elapsed = time.monotonic() - started
    health = httpx.get(f"{live_server}/health", timeout=10)
    assert thread.is_alive(), "the runaway query finished too early to show anything"
    thread.join()

    assert during.status_code == 200 and during_elapsed < 1.0
    assert health.status_code == 200
    response = outcome["response"]
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems#query-timeout"
    assert "Retry-After" in response.headers
    assert live_server_timeout - 0.1 <= outcome["elapsed"] <= live_server_timeout + 1.0
    # Afterwards: the killed worker is replaced and queries are answered again.
    assert (
        httpx.get(f"{live_server}/sparql", params={"query": NETWORKS}, timeout=10).status_code
        == 200
    )
    deadline = time.monotonic() + 20
    while True:
        after = httpx.get(f"{live_server}/health", timeout=5).json()
        if after["sparql_workers"] == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert after["sparql_worker_restarts"] == before["sparql_worker_restarts"] + 1
    assert after["sparql_workers"] == 2


def test_unknown_address_is_404(live_server: str) -> None:
    client = SPARQLWrapper(f"{live_server}/no-such-endpoint")
    client.setQuery(NETWORKS)
    client.setReturnFormat(JSON)
    with pytest.raises(EndPointNotFound):
        client.query()


def test_curl_works_too(live_server: str, tmp_path: Path) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    result = subprocess.run(
        [curl, "-s", "-H", "Accept: text/csv", "--data-urlencode", f"query={NETWORKS}",
         f"{live_server}/sparql"],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    assert CIBELA in result.stdout.splitlines()
