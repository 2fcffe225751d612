"""The SPARQL 1.1 Protocol at /sparql, through real HTTP requests to the app."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.query import Result

from paccto.api.web.app import create_app
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import get_settings
from paccto.graph.sparql.query import run_query

QUERIES = sorted((Path(__file__).resolve().parents[3] / "queries").glob("*.rq"))
NETWORKS = "SELECT ?n WHERE { ?n a paccto:Network } ORDER BY ?n"
SD = "http://www.w3.org/ns/sparql-service-description#"
ENTITIES_GRAPH = "https://w3id.org/paccto-graph/graph/entities"


def _rows(result: Result) -> set[tuple[str, ...]]:
    return {tuple("" if value is None else str(value) for value in row) for row in result}


def _parse(body: bytes, result_format: str) -> Result:
    return Result.parse(io.BytesIO(body), format=result_format)


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_every_stored_query_answers_as_in_process_rdflib(
    client: TestClient, kg: KnowledgeGraph, path: Path
) -> None:
    """Oxigraph behind /sparql and rdflib in process give the same answers (same default graph)."""
    text = path.read_text(encoding="utf-8")
    response = client.get("/sparql", params={"query": text})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/sparql-results+json"
    expected = run_query(kg, text)
    got = _parse(response.content, "json")
    assert [str(v) for v in got.vars or []] == expected.variables
    assert _rows(got) == {
        tuple("" if value is None else str(value) for value in row) for row in expected.rows
    }
    assert response.headers["x-result-count"] == str(len(expected.rows))


def test_get_form_post_and_direct_post_give_the_same_answer(client: TestClient) -> None:
    by_get = client.get("/sparql", params={"query": NETWORKS})
    by_form = client.post("/sparql", data={"query": NETWORKS})
    by_body = client.post(
        "/sparql", content=NETWORKS, headers={"Content-Type": "application/sparql-query"}
    )
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert by_get.json() == by_form.json() == by_body.json()
    assert len(by_get.json()["results"]["bindings"]) >= 7


@pytest.mark.parametrize(
    ("accept", "media_type", "parser"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
        ("text/csv", "text/csv; charset=utf-8", "csv"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", "tsv"),
        ("application/json", "application/sparql-results+json", "json"),
        (
            "text/csv;q=0.2, application/sparql-results+xml;q=0.9",
            "application/sparql-results+xml",
            "xml",
        ),
    ],
)
def test_select_results_by_content_negotiation(
    client: TestClient, accept: str, media_type: str, parser: str
) -> None:
    response = client.get("/sparql", params={"query": NETWORKS}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media_type
    assert "accept" in response.headers["vary"].lower()
    rows = _rows(_parse(response.content, parser))
    assert ("https://w3id.org/paccto-graph/id/cibela",) in rows


@pytest.mark.parametrize("name", ["json", "xml", "csv", "tsv"])
def test_format_parameter_overrides_accept(client: TestClient, name: str) -> None:
    response = client.get(
        "/sparql", params={"query": NETWORKS, "format": name}, headers={"Accept": "text/turtle"}
    )
    assert response.status_code == 200
    assert ("https://w3id.org/paccto-graph/id/cibela",) in _rows(_parse(response.content, name))


def test_csv_and_tsv_keep_commas_tabs_and_newlines_inside_values(client: TestClient) -> None:
    query = 'SELECT ?v WHERE { VALUES ?v { "a,b\\tc\\nd" } }'
    as_csv = client.get("/sparql", params={"query": query, "format": "csv"})
    assert list(csv.reader(io.StringIO(as_csv.text))) == [["v"], ["a,b\tc\nd"]]
    as_tsv = client.get("/sparql", params={"query": query, "format": "tsv"})
    assert as_tsv.text.splitlines() == ["?v", '"a,b\\tc\\nd"']


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_results_by_content_negotiation(
    client: TestClient, accept: str, rdflib_format: str
) -> None:
    query = "CONSTRUCT { ?n a paccto:Network ; rdfs:label ?l } WHERE { ?n a paccto:Network ; rdfs:label ?l }"  # noqa: E501
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == accept
    graph = Graph().parse(data=response.content, format=rdflib_format)
    clasi = URIRef("https://w3id.org/paccto-graph/id/cibela")
    assert (clasi, None, None) in graph
    assert len(graph) == int(response.headers["x-result-count"])


def test_describe_an_entity(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "DESCRIBE id:clasi"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="turtle")
    assert len(graph) > 3


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/xml"])
def test_ask(client: TestClient, accept: str) -> None:
    response = client.get(
        "/sparql",
        params={"query": "ASK { id:cibela a paccto:Network }"},
        headers={"Accept": accept},
    )
    assert response.status_code == 200
    assert _parse(response.content, "json" if "json" in accept else "xml").askAnswer is True


def test_service_description_without_a_query(client: TestClient, kg: KnowledgeGraph) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    description = Graph().parse(data=response.text, format="turtle")
    service = URIRef("http://testserver/sparql")
    assert (service, URIRef(SD + "endpoint"), service) in description
    assert (service, URIRef(SD + "feature"), URIRef(SD + "UnionDefaultGraph")) in description
    names = set(description.objects(None, URIRef(SD + "name")))
    assert URIRef(ENTITIES_GRAPH) in names
    assert len(names) == len(kg.data_graph_names()) + 1  # and the ontology's graph


def test_a_browser_gets_a_query_form(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert '<form method="get"' in response.text


# -- the dataset: FROM, default-graph-uri, named-graph-uri ---------------------------------------


def _count(client: TestClient, query: str, **params: object) -> int:
    response = client.get("/sparql", params={"query": query, **params})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def _distinct_triples(kg: KnowledgeGraph) -> int:
    return len({(s, p, o) for s, p, o, _g in kg.dataset.quads()})


def test_default_graph_is_the_merge_and_protocol_parameters_narrow_it(
    client: TestClient, kg: KnowledgeGraph
) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    entities = len(kg.dataset.graph(URIRef(ENTITIES_GRAPH)))
    # The RDF merge: a triple stated in several passages counts once.
    assert _count(client, count) == _distinct_triples(kg) < len(kg)
    per_graph = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert _count(client, per_graph) == len(kg)
    assert _count(client, count, **{"default-graph-uri": ENTITIES_GRAPH}) == entities
    from_clause = f"SELECT (COUNT(*) AS ?n) FROM <{ENTITIES_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert _count(client, from_clause) == entities
    named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert _count(client, named, **{"named-graph-uri": ENTITIES_GRAPH}) == entities
    # Only named-graph-uri given: the default graph is empty (SPARQL 1.1 Protocol 2.1.4).
    assert _count(client, count, **{"named-graph-uri": ENTITIES_GRAPH}) == 0


# -- refusals and errors -------------------------------------------------------------------------


def _problem(response: object, status: int, kind: str) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["type"] == f"/problems#{kind}"
    assert body["status"] == status
    return body


def test_malformed_query_is_400_with_the_parsers_position(client: TestClient) -> None:
    body = _problem(client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p"}), 400,
                    "malformed-query")  # fmt: skip
    assert "1:" in str(body["detail"])
    assert len(str(body["detail"])) < 500


@pytest.mark.parametrize(
    ("method", "kwargs", "kind"),
    [
        ("get", {"params": [("query", NETWORKS), ("query", NETWORKS)]}, "invalid-parameters"),
        ("post", {"data": {"format": "json"}}, "invalid-parameters"),
        (
            "post",
            {"content": NETWORKS, "headers": {"Content-Type": "text/plain"}},
            "unsupported-media-type",
        ),
        ("post", {"content": NETWORKS}, "unsupported-media-type"),
        ("get", {"params": {"query": "   "}}, "malformed-query"),
    ],
    ids=[
        "repeated-query",
        "form-without-query",
        "wrong-content-type",
        "no-content-type",
        "empty-query",
    ],
)
def test_bad_requests_are_400_not_422(
    client: TestClient, method: str, kwargs: dict[str, object], kind: str
) -> None:
    _problem(getattr(client, method)("/sparql", **kwargs), 400, kind)


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (NETWORKS, "image/png"),
        (NETWORKS, "text/turtle"),
        ("CONSTRUCT WHERE { ?s a paccto:Network }", "text/csv"),
    ],
)
def test_an_accept_the_endpoint_cannot_serve_is_406(
    client: TestClient, query: str, accept: str
) -> None:
    body = _problem(
        client.get("/sparql", params={"query": query}, headers={"Accept": accept}), 406,
        "not-acceptable",
    )  # fmt: skip
    assert body["acceptable"]


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("get", {"params": {"update": "DROP ALL"}}),
        ("post", {"data": {"update": "CLEAR DEFAULT"}}),
        ("post", {"data": {"query": "DROP ALL"}}),
        ("post", {"data": {"query": "LOAD <http://example.org/data.ttl>"}}),
        ("get", {"params": {"query": "INSERT DATA { id:x rdfs:label 'x' }"}}),
        (
            "post",
            {
                "content": "DELETE WHERE { ?s ?p ?o }",
                "headers": {"Content-Type": "application/sparql-update"},
            },
        ),
    ],
)
def test_updates_are_refused_and_change_nothing(
    client: TestClient, kg: KnowledgeGraph, method: str, kwargs: dict[str, object]
) -> None:
    before = _count(client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    _problem(getattr(client, method)("/sparql", **kwargs), 403, "read-only")
    after = _count(client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert after == before == len(kg)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { service silent <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o . SERVICE ?endpoint { ?s ?p ?o } } LIMIT 1",
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    ],
)
def test_queries_that_would_reach_another_endpoint_are_refused(
    client: TestClient, query: str
) -> None:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400, response.text
    assert response.json()["type"] in ("/problems#refused-query", "/problems#malformed-query")
    if "\\u0053" not in query:
        assert response.json()["type"] == "/problems#refused-query"


@pytest.mark.parametrize(
    ("query", "parameters"),
    [
        ("SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }", {}),
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", {}),
        ("SELECT * FROM NAMED <http://127.0.0.1:9/graph> WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
        ("SELECT * FROM <https://w3id.org/paccto-graph/graph/unknown> { ?s ?p ?o }", {}),
        (NETWORKS, {"default-graph-uri": "http://127.0.0.1:9/remote"}),
        (NETWORKS, {"named-graph-uri": "http://127.0.0.1:9/remote"}),
    ],
)
def test_graphs_that_are_not_loaded_are_empty_and_never_fetched(
    client: TestClient, query: str, parameters: dict[str, str]
) -> None:
    """As Oxigraph server and Fuseki answer (SPARQL 1.1 Protocol's dataset cases): the graph is
    empty, and nothing is fetched (the fuzz test in test_sparql_reach.py holds a listener to
    that)."""
    response = client.get("/sparql", params={"query": query, **parameters})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"] == []


def test_the_words_service_and_from_in_strings_do_not_refuse_a_query(client: TestClient) -> None:
    query = 'SELECT ?from WHERE { BIND("SERVICE from FROM" AS ?from) }'
    assert client.get("/sparql", params={"query": query}).status_code == 200


def test_hostile_nesting_is_a_clear_400(client: TestClient) -> None:
    query = "SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000
    response = client.get("/sparql", params={"query": query})
    assert response.status_code in (400, 503), response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/sparql", params={"query": NETWORKS}).status_code == 200


@pytest.fixture(scope="module")
def capped_client(kg: KnowledgeGraph) -> Iterator[TestClient]:
    settings = get_settings(sparql_max_rows=5, max_request_bytes=4096, sparql_workers=1)
    with TestClient(create_app(kg, settings)) as test_client:
        yield test_client


def test_a_result_over_the_cap_is_an_error_not_a_truncated_answer(
    capped_client: TestClient,
) -> None:
    body = _problem(capped_client.get("/sparql", params={"query": NETWORKS}), 400,
                    "result-too-large")  # fmt: skip
    assert "5" in str(body["detail"]) and "LIMIT" in str(body["detail"])
    limited = capped_client.get("/sparql", params={"query": NETWORKS + " LIMIT 5"})
    assert limited.status_code == 200
    assert len(limited.json()["results"]["bindings"]) == 5
    construct = "CONSTRUCT WHERE { ?s a paccto:Network }"
    _problem(capped_client.get("/sparql", params={"query": construct}), 400, "result-too-large")


@pytest.mark.parametrize("how", ["get", "form", "body"])
def test_a_request_over_the_size_limit_is_413(capped_client: TestClient, how: str) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 5000
    if how == "get":
        response = capped_client.get("/sparql", params={"query": query})
    elif how == "form":
        response = capped_client.post("/sparql", data={"query": query})
    else:
        response = capped_client.post(
            "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
        )
    _problem(response, 413, "request-too-large")


def test_cross_origin_reads_are_allowed_for_yasgui(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": NETWORKS}, headers={"Origin": "https://yasgui.example"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_the_openapi_document_declares_the_protocol(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operations = spec["paths"]["/sparql"]
    for method in ("get", "post"):
        responses = operations[method]["responses"]
        assert {"200", "400", "403", "406", "413", "503"} <= set(responses)
        assert "application/sparql-results+json" in responses["200"]["content"]
        assert "text/turtle" in responses["200"]["content"]
    names = {parameter["name"] for parameter in operations["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri", "format"} <= names
    assert json.dumps(operations["post"]["requestBody"]["content"]).count("sparql-query") == 1


def test_screening_outcomes_are_remembered_not_weakened(client: TestClient) -> None:
    """A query text screened once (refused or allowed) gets the same outcome again."""
    refused = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    allowed = "SELECT ?s WHERE { ?s prov:wasDerivedFrom ?d } LIMIT 1"
    for _ in range(3):
        assert client.get("/sparql", params={"query": refused}).status_code == 400
        assert client.get("/sparql", params={"query": allowed}).status_code == 200
