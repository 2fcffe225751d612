"""Whole-graph export: RDF keeps every quad, GraphML / GEXF / CSV carry the projection intact."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import networkx as nx
import pytest
from rdflib import Dataset

from paccto.graph.errors import PacctoError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.publish.export import (
    CSV_TABLES,
    EDGE_COLUMNS,
    EXPORT_FORMATS,
    TABLE_FORMAT,
    export_file_name,
    export_graph,
    export_table,
    projection_for_export,
)


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


@pytest.mark.parametrize("name", list(EXPORT_FORMATS))
def test_every_listed_format_is_written(kg: KnowledgeGraph, name: str) -> None:
    spec = EXPORT_FORMATS[name]
    data = export_graph(kg, name)
    assert data
    assert spec.name == name and "/" in spec.media_type and spec.extension
    assert export_file_name(name) == f"paccto-graph.{spec.extension}"
    if spec.rdf_syntax is not None:
        parsed = Dataset()
        parsed.parse(data=data, format=spec.rdf_syntax)
        assert sum(len(graph) for graph in parsed.graphs()) > 2000


def test_graph_formats_keep_the_passage_graphs(kg: KnowledgeGraph) -> None:
    parsed = Dataset()
    parsed.parse(data=export_graph(kg, "trig"), format="trig")
    names = {str(graph.identifier) for graph in parsed.graphs()}
    assert str(kg.ids.passage("doc-004", 11, 199)) in names


@pytest.mark.parametrize("name", ["graphml", "gexf"])
def test_network_formats_read_back_as_the_projection(kg: KnowledgeGraph, name: str) -> None:
    projection = kg.projection.graph
    data = export_graph(kg, name)
    read = nx.read_graphml if name == "graphml" else nx.read_gexf
    graph = read(io.BytesIO(data))
    assert graph.is_directed() and graph.is_multigraph()
    assert graph.number_of_nodes() == projection.number_of_nodes()
    assert graph.number_of_edges() == projection.number_of_edges()
    labels = {d["label"] for _, d in graph.nodes(data=True)}
    assert labels == {d["label"] for _, d in projection.nodes(data=True)}
    relations = sorted(d["relation"] for *_, d in graph.edges(data=True))
    assert relations == sorted(d["relation"] for *_, d in projection.edges(data=True))


def test_graphml_keeps_classes_dates_roles_and_documents(kg: KnowledgeGraph) -> None:
    graph = nx.read_graphml(io.BytesIO(export_graph(kg, "graphml")))
    spain, phase_2 = str(kg.ids.entity("spain")), str(kg.ids.entity("phase-2"))
    node = graph.nodes[str(kg.ids.entity("clasi"))]
    assert node["class"] == "paccto:Committee"
    assert json.loads(node["labels"])["es"] == "Comité Latinoamericano de Seguridad Interior"
    assert "CLASI" in json.loads(node["aliases"])
    assert graph.nodes[str(kg.ids.entity("phase-1"))]["budget_eur"] == 19_000_000
    edge = graph.get_edge_data(spain, phase_2)["org:memberOf/role-implementing-member-state"]
    assert edge["role"] == "Implementing EU member state"
    assert (edge["start"], edge["end"]) == ("2023-11", "2027-12")
    assert edge["documents"] == "src:doc-004"


def test_gexf_stays_a_static_graph(kg: KnowledgeGraph) -> None:
    # GEXF reads start/end as a time line; partial dates would make a broken dynamic graph.
    data = export_graph(kg, "gexf").decode("utf-8")
    assert 'mode="static"' in data
    graph = projection_for_export(kg, for_gexf=True)
    assert not any("start" in d or "end" in d for *_, d in graph.edges(data=True))
    assert any("start_date" in d for *_, d in graph.edges(data=True))


def test_export_values_are_all_scalars(kg: KnowledgeGraph) -> None:
    graph = projection_for_export(kg)
    values = [v for _, d in graph.nodes(data=True) for v in d.values()]
    values += [v for *_, d in graph.edges(data=True) for v in d.values()]
    assert all(isinstance(v, str | int | float | bool) for v in values)


def test_csv_is_a_zip_of_nodes_and_edges(kg: KnowledgeGraph) -> None:
    archive = zipfile.ZipFile(io.BytesIO(export_graph(kg, "csv")))
    assert archive.namelist() == ["nodes.csv", "edges.csv"]
    nodes = rows(archive.read("nodes.csv"))
    edges = rows(archive.read("edges.csv"))
    assert len(nodes) == kg.projection.graph.number_of_nodes()
    assert len(edges) == kg.projection.graph.number_of_edges()
    assert archive.read("nodes.csv") == export_table(kg, "nodes")
    assert archive.read("edges.csv") == export_table(kg, "edges")


def test_csv_tables_have_stable_columns_and_link_up(kg: KnowledgeGraph) -> None:
    nodes = rows(export_table(kg, "nodes"))
    edges_data = export_table(kg, "edges")
    edges = rows(edges_data)
    assert edges_data.decode("utf-8").splitlines()[0] == ",".join(EDGE_COLUMNS)
    assert list(nodes[0])[:5] == ["id", "iri", "label", "class", "class_label"]
    ids = {row["id"] for row in nodes}
    assert all(row["source"] in ids and row["target"] in ids for row in edges)
    clasi = next(row for row in nodes if row["id"] == "clasi")
    assert clasi["label"] == "Latin American Committee for Internal Security"
    membership = next(
        row
        for row in edges
        if (row["source"], row["target"]) == ("spain", "phase-2")
        and row["predicate"].endswith("#memberOf")
    )
    assert membership["relation"].startswith("member of")
    assert (membership["start"], membership["end"]) == ("2023-11", "2027-12")
    assert membership["documents"] == "src:doc-004"
    assert membership["passages"].startswith(kg.ids.base + "passage/doc-004/")


def test_exports_are_reproducible(kg: KnowledgeGraph) -> None:
    assert export_graph(kg, "csv") == export_graph(kg, "csv")
    assert export_graph(kg, "graphml") == export_graph(kg, "graphml")


def test_memberships_of_a_small_graph(small: KnowledgeGraph) -> None:
    edges = rows(export_table(small, "edges"))
    eta = next(row for row in edges if row["source"] == "eta")
    assert (eta["target"], eta["role"], eta["start"], eta["end"]) == (
        "umbrella", "Member", "2015", "2019-06",
    )  # fmt: skip
    assert eta["documents"] == ""


def test_file_names_and_table_media_type() -> None:
    assert export_file_name("csv") == "paccto-graph.zip"
    assert export_file_name("csv", "edges") == "paccto-graph-edges.csv"
    assert TABLE_FORMAT.media_type == "text/csv"
    assert CSV_TABLES == ("nodes", "edges")


def test_unknown_format_names_the_choices(kg: KnowledgeGraph) -> None:
    with pytest.raises(PacctoError, match="choose one of ttl, nt, trig, nq, jsonld, graphml"):
        export_graph(kg, "xlsx")


@pytest.mark.parametrize(
    ("format", "table", "message"),
    [("csv", "people", "unknown table 'people'"), ("ttl", "nodes", "only be written as csv")],
)
def test_unknown_table_is_refused(
    kg: KnowledgeGraph, format: str, table: str, message: str
) -> None:
    with pytest.raises(PacctoError, match=message):
        export_file_name(format, table)
    if format == "csv":
        with pytest.raises(PacctoError, match=message):
            export_table(kg, table)
