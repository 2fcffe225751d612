"""Linked data over HTTP (``/id``, ``/source``, ``/passage``, ``/export``) and ``paccto export``."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from rdflib import RDFS, Dataset, Graph, Literal, URIRef

from paccto.api.cli.common import ExportFormat
from paccto.api.web.app import create_app
from paccto.api.web.linked_data import OFFERED, ExportName
from paccto.graph.load.loading import load_knowledge_graph
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.publish.export import EXPORT_FORMATS
from paccto.graph.settings import get_settings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CLASI = "https://w3id.org/paccto-graph/id/clasi"
CLASI_LABEL = Literal("Latin American Committee for Internal Security", lang="en")


@pytest.fixture(scope="module")
def hostile_client() -> Iterator[TestClient]:
    """An app around labels written to break a page (no lifespan: no SPARQL workers needed)."""
    settings = get_settings(include_seeds=False, require_provenance=False)
    kg = load_knowledge_graph(settings, [FIXTURES / "linked_data" / "hostile.ttl"])
    yield TestClient(create_app(kg, settings))


@pytest.mark.parametrize(
    ("accept", "media_type", "parser"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json", "json-ld"),
    ],
)
def test_entity_as_rdf(client: TestClient, accept: str, media_type: str, parser: str) -> None:
    response = client.get("/id/clasi", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    graph = Graph().parse(data=response.content, format=parser)
    assert (URIRef(CLASI), RDFS.label, CLASI_LABEL) in graph
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    ("format", "parser"), [("ttl", "turtle"), ("jsonld", "json-ld"), ("rdfxml", "xml")]
)
def test_format_parameter_overrides_accept(client: TestClient, format: str, parser: str) -> None:
    response = client.get(f"/id/clasi?format={format}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=parser)
    assert (URIRef(CLASI), RDFS.label, CLASI_LABEL) in graph


def test_browsers_get_the_page(client: TestClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/id/clasi", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<h1>Latin American Committee for Internal Security</h1>" in page
    assert "Comité Latinoamericano de Seguridad Interior" in page
    assert '<a href="/id/phase-1">EL PAcCTO phase 1</a>' in page
    assert '<a href="/source/doc-000">doc-000</a>' in page
    assert '<a href="/passage/doc-000/802-983">[802, 983)</a>' in page
    assert '<link rel="alternate" type="text/turtle" href="/id/clasi?format=ttl"' in page
    assert '<link rel="alternate" type="application/ld+json" href="/id/clasi?format=jsonld"' in page


def test_link_header_points_to_the_alternates(client: TestClient) -> None:
    response = client.get("/id/clasi", headers={"Accept": "text/html"})
    link = response.headers["link"]
    assert '</id/clasi?format=ttl>; rel="alternate"; type="text/turtle"' in link
    assert '</id/clasi?format=jsonld>; rel="alternate"; type="application/ld+json"' in link
    assert "format=html" not in link  # the representation sent is not its own alternate


def test_unknown_entity_is_a_404_problem_with_suggestions(client: TestClient) -> None:
    response = client.get("/id/clasy", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems#unknown-entity"
    assert "clasi" in problem["suggestions"]


def test_accept_not_offered_is_406(client: TestClient) -> None:
    response = client.get("/id/clasi", headers={"Accept": "image/png, text/html;q=0"})
    assert response.status_code == 406
    problem = response.json()
    assert problem["type"] == "/problems#not-acceptable"
    assert problem["acceptable"] == OFFERED


def test_invalid_format_parameter_is_422(client: TestClient) -> None:
    response = client.get("/id/clasi?format=pdf")
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "query.format"


def test_source_document(client: TestClient) -> None:
    response = client.get("/source/doc-000", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert "000_dc3e390db01e9698.txt" in response.text
    page = client.get("/source/doc-000").text
    assert '<a href="/passage/doc-000/774-1190">' in page
    assert client.get("/source/doc-999").json()["suggestions"]


def test_passage(client: TestClient) -> None:
    response = client.get("/passage/doc-004/11-199", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.headers["link"]
    assert client.get("/passage/doc-004/11-199").status_code == 200
    assert client.get("/passage/doc-004/11-198").status_code == 404
    assert client.get("/passage/doc-004/eleven").status_code == 422


def test_page_escapes_everything_from_the_data(hostile_client: TestClient) -> None:
    response = hostile_client.get("/id/evil", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = response.text
    assert "<img src=x" not in page and "<script>alert" not in page and "<b>bold" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt; &amp; more" in page
    assert "&#34;quoted&#34; &amp; &lt;b&gt;bold&lt;/b&gt;" in page


def test_page_never_links_to_a_script(hostile_client: TestClient) -> None:
    page = hostile_client.get("/id/m-linked?format=html").text
    assert "Click me" in page
    assert "javascript:" not in page
    assert "&lt;i&gt;Plain&lt;/i&gt; in evil" in page


def test_rdf_of_a_hostile_label_round_trips(hostile_client: TestClient) -> None:
    response = hostile_client.get("/id/evil?format=ttl")
    graph = Graph().parse(data=response.content, format="turtle")
    label = Literal("<img src=x onerror=alert(1)>", lang="en")
    assert (URIRef("https://w3id.org/paccto-graph/id/evil"), RDFS.label, label) in graph


def test_the_names_agree_everywhere() -> None:
    assert [f.value for f in ExportName] == list(EXPORT_FORMATS)
    assert [f.value for f in ExportFormat] == list(EXPORT_FORMATS)


@pytest.mark.parametrize("format", list(EXPORT_FORMATS))
def test_export_every_format(client: TestClient, format: str) -> None:
    spec = EXPORT_FORMATS[format]
    response = client.get(f"/export?format={format}")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == spec.media_type
    disposition = response.headers["content-disposition"]
    assert disposition == f'attachment; filename="paccto-graph.{spec.extension}"'
    if spec.rdf_syntax is not None:
        parsed = Dataset()
        parsed.parse(data=response.content, format=spec.rdf_syntax)
        assert sum(len(graph) for graph in parsed.graphs()) > 2000
    elif format == "csv":
        names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
        assert names == ["nodes.csv", "edges.csv"]
    else:
        read = nx.read_graphml if format == "graphml" else nx.read_gexf
        assert read(io.BytesIO(response.content)).number_of_nodes() > 100


def test_export_one_csv_table(client: TestClient, kg: KnowledgeGraph) -> None:
    response = client.get("/export/edges.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="paccto-graph-edges.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == kg.projection.graph.number_of_edges()


@pytest.mark.parametrize("query", ["export?format=xlsx", "export?format=", "export/people.csv"])
def test_export_refuses_bad_parameters(client: TestClient, query: str) -> None:
    response = client.get(f"/{query}")
    assert response.status_code == 422
    assert response.json()["type"] == "/problems#invalid-parameters"


def test_openapi_declares_media_types_and_problems(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/id/{id}", "/source/{id}", "/passage/{doc}/{span}"):
        responses = paths[path]["get"]["responses"]
        assert list(responses["200"]["content"]) == OFFERED
        assert {"404", "406", "422"} <= set(responses)
    export = paths["/export"]["get"]["responses"]
    assert {"application/zip", "application/graphml+xml"} <= set(export["200"]["content"])
    table = paths["/export/{table}.csv"]["get"]["responses"]
    assert list(table["200"]["content"]) == ["text/csv"]


PACCTO = shutil.which("paccto")


@pytest.mark.skipif(PACCTO is None, reason="the paccto command is not installed")
def test_cli_exports_graphml_and_one_csv_table(tmp_path: Path) -> None:
    assert PACCTO is not None
    target = tmp_path / "graph.graphml"
    result = subprocess.run(
        [PACCTO, "export", "--format", "graphml", "-o", str(target)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    graph = nx.read_graphml(target)
    assert graph.nodes[CLASI]["label"] == "Latin American Committee for Internal Security"

    result = subprocess.run(
        [PACCTO, "export", "--format", "csv", "--table", "nodes"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert any(row["id"] == "clasi" for row in csv.DictReader(io.StringIO(result.stdout)))

    result = subprocess.run(
        [PACCTO, "export", "--format", "csv"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "-o" in result.stderr and "Traceback" not in result.stderr
