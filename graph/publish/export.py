"""Serialises the whole knowledge graph for other tools: RDF for triple stores, networks for
graph tools (Gephi, Cytoscape, yEd), and tables for spreadsheets.

Formats that hold named graphs (TriG, N-Quads, JSON-LD) keep the provenance: each fact stays in
the graph of the passage that states it. Turtle and N-Triples cannot hold graphs, so they carry
the union of all data graphs; the ontology is included in every RDF format.

GraphML, GEXF and CSV write the networkx projection instead (:mod:`paccto.graph.model.projection`):
one node per entity and one edge per relationship, with memberships, quotations and figures
already folded in. Their writers take scalar values only, so lists and mappings (labels in
every language, aliases, figures) travel as JSON strings and each edge's sources become the
ids of the documents and passages that state it.

One table, :data:`EXPORT_FORMATS`, names every format with its media type and file extension,
so the command line and the HTTP API offer the same names and write the same files.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rdflib import Dataset, Graph

from paccto.graph.errors import PacctoError
from paccto.graph.model.knowledge_graph import KnowledgeGraph

if TYPE_CHECKING:  # imported where a file is written: networkx costs start-up time
    import networkx as nx

__all__ = [
    "CSV_TABLES",
    "EDGE_COLUMNS",
    "EXPORT_FORMATS",
    "NODE_COLUMNS",
    "TABLE_FORMAT",
    "ExportFormat",
    "export_file_name",
    "export_graph",
    "export_table",
    "projection_for_export",
]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One way of writing the graph: its short name, media type, file extension and writer.

    ``keeps_graphs`` says whether the named graphs (the provenance) survive. Adding a format is
    one entry in :data:`EXPORT_FORMATS` and its writer; the command line and the HTTP API offer
    every entry.
    """

    name: str
    media_type: str
    extension: str
    description: str
    write: Callable[[KnowledgeGraph], bytes] | None = None
    keeps_graphs: bool = False
    #: rdflib's name for the RDF syntax (to read the file back); None for networks and tables.
    rdf_syntax: str | None = None


#: The media type and extension of one CSV table written alone (:func:`export_table`).
TABLE_FORMAT = ExportFormat("csv", "text/csv", "csv", "CSV: one table")

#: The tables of the ``csv`` export, each also available alone.
CSV_TABLES: tuple[str, ...] = ("nodes", "edges")

#: Columns of ``nodes.csv``, in order. Attributes no node of the graph has are left out; the
#: projection's other literal attributes (named by their compact predicate) follow these.
NODE_COLUMNS: tuple[str, ...] = (
    "id",
    "iri",
    "label",
    "class",
    "class_label",
    "classes",
    "description",
    "labels",
    "aliases",
    "iso_code",
    "name",
    "start",
    "end",
    "date",
    "founding_date",
    "budget_eur",
    "planned_duration",
    "indicators",
)

#: Columns of ``edges.csv``, in order: one row per relationship of the projection.
EDGE_COLUMNS: tuple[str, ...] = (
    "source",
    "target",
    "key",
    "relation",
    "predicate",
    "role",
    "start",
    "end",
    "documents",
    "passages",
)

#: Node attributes that are lists or mappings; written as JSON so no information is lost.
_STRUCTURED = frozenset({"labels", "aliases", "classes", "indicators"})
#: Node attributes that only serve name search; the labels and aliases already carry them.
_LEFT_OUT = frozenset({"search_terms"})
#: Every zip entry gets this timestamp, so the same graph always gives the same bytes.
_ZIP_DATE = (2017, 1, 1, 0, 0, 0)


def export_file_name(format: str, table: str | None = None) -> str:
    """The file name an export is saved under: ``paccto-graph.trig``, ``paccto-graph-edges.csv``.

    Raises
    ------
    PacctoError
        ``format`` or ``table`` is not one of the known names.
    """
    spec = _format(format)
    if table is not None:
        _table_name(format, table)
        return f"paccto-graph-{table}.{TABLE_FORMAT.extension}"
    return f"paccto-graph.{spec.extension}"


def export_graph(kg: KnowledgeGraph, format: str) -> bytes:
    """The graph written in ``format`` (a key of :data:`EXPORT_FORMATS`), as bytes.

    RDF formats and the network formats are UTF-8 text; ``csv`` is a zip archive holding
    ``nodes.csv`` and ``edges.csv``.

    Raises
    ------
    PacctoError
        ``format`` is not one of :data:`EXPORT_FORMATS`; the message lists them.
    """
    spec = _format(format)
    assert spec.write is not None  # every entry of the table has its writer
    return spec.write(kg)


def _graphml(kg: KnowledgeGraph) -> bytes:
    import networkx as nx

    buffer = io.BytesIO()
    # numeric types inferred per attribute, so a budget written as an integer on one node and a
    # decimal on another still gets one key
    nx.write_graphml_xml(
        projection_for_export(kg), buffer, encoding="utf-8", infer_numeric_types=True
    )
    return buffer.getvalue()


def _gexf(kg: KnowledgeGraph) -> bytes:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_gexf(projection_for_export(kg, for_gexf=True), buffer, encoding="utf-8")
    return buffer.getvalue()


def _csv_tables(kg: KnowledgeGraph) -> bytes:
    return _zip({f"{name}.csv": export_table(kg, name) for name in CSV_TABLES})


def _rdf_format(
    name: str, media_type: str, description: str, syntax: str, *, keeps_graphs: bool
) -> ExportFormat:
    return ExportFormat(
        name, media_type, name, description,
        lambda kg: _rdf(kg, syntax, keeps_graphs=keeps_graphs),
        keeps_graphs=keeps_graphs, rdf_syntax=syntax,
    )  # fmt: skip


def export_table(kg: KnowledgeGraph, table: str) -> bytes:
    """One table of the projection as UTF-8 CSV: ``"nodes"`` or ``"edges"``.

    Rows are sorted (nodes by IRI, edges by source, target and key) and columns keep the
    order of :data:`NODE_COLUMNS` and :data:`EDGE_COLUMNS`, so two exports of the same graph
    are byte-for-byte equal and diff cleanly.

    Raises
    ------
    PacctoError
        ``table`` is neither ``"nodes"`` nor ``"edges"``.
    """
    _table_name("csv", table)
    graph = kg.projection.graph
    buffer = io.StringIO(newline="")
    if table == "nodes":
        present = {key for _, data in graph.nodes(data=True) for key in data}
        columns = [c for c in NODE_COLUMNS if c in present or c in ("id", "iri", "label")]
        columns += sorted(present - set(NODE_COLUMNS) - _LEFT_OUT)
        rows: Iterator[dict[str, Any]] = (
            _node_row(data) for _, data in sorted(graph.nodes(data=True), key=lambda n: n[0])
        )
    else:
        columns = list(EDGE_COLUMNS)
        rows = (
            _edge_row(graph, u, v, key, data)
            for u, v, key, data in sorted(
                graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])
            )
        )
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def projection_for_export(kg: KnowledgeGraph, *, for_gexf: bool = False) -> nx.MultiDiGraph:
    """A copy of the projection whose attribute values are all scalars, as file writers need.

    Lists and mappings become JSON strings and missing values are dropped; each edge's
    ``sources`` becomes ``documents`` and ``passages`` (space-separated ids). GEXF reads
    ``start`` and ``end`` as the bounds of a dynamic graph's time line, which needs full dates;
    for it they are written as ``start_date`` and ``end_date`` so the graph stays static.
    """
    source = kg.projection.graph
    import networkx as nx

    graph = nx.MultiDiGraph(name="PAcCTO Graph")
    for iri, data in sorted(source.nodes(data=True), key=lambda n: n[0]):
        row = _node_row(data)
        graph.add_node(iri, **_scalars(row, for_gexf))
    for u, v, key, data in sorted(source.edges(keys=True, data=True), key=lambda e: e[:3]):
        row = _edge_row(source, u, v, key, data)
        del row["source"], row["target"], row["key"]
        if for_gexf:
            row["label"] = row["relation"]
        graph.add_edge(u, v, key=key, **_scalars(row, for_gexf))
    return graph


def _format(format: str) -> ExportFormat:
    try:
        return EXPORT_FORMATS[format]
    except KeyError:
        raise PacctoError(
            f"unknown export format {format!r}; choose one of {', '.join(EXPORT_FORMATS)}"
        ) from None


def _table_name(format: str, table: str) -> None:
    if format != "csv":
        raise PacctoError(f"a single table can only be written as csv, not {format!r}")
    if table not in CSV_TABLES:
        raise PacctoError(f"unknown table {table!r}; choose one of {', '.join(CSV_TABLES)}")


def _rdf(kg: KnowledgeGraph, serializer: str, *, keeps_graphs: bool) -> bytes:
    if keeps_graphs:
        target: Graph | Dataset = kg.dataset
    else:
        target = Graph(namespace_manager=kg.ids.namespace_manager())
        for graph in kg.dataset.graphs():
            for triple in graph:
                target.add(triple)
    data = target.serialize(format=serializer, encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _node_row(data: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, value in data.items():
        if key in _LEFT_OUT or value is None:
            continue
        row[key] = _json(value) if key in _STRUCTURED or isinstance(value, list | dict) else value
    return row


def _edge_row(
    graph: nx.MultiDiGraph, u: str, v: str, key: str, data: dict[str, Any]
) -> dict[str, Any]:
    sources = data.get("sources") or []
    documents = sorted({s["document"] for s in sources if s.get("document")})
    passages = sorted({s["passage"] for s in sources if s.get("passage")})
    return {
        "source": graph.nodes[u]["id"],
        "target": graph.nodes[v]["id"],
        "key": key,
        "relation": data.get("relation"),
        "predicate": data.get("predicate"),
        "role": data.get("role"),
        "start": data.get("start"),
        "end": data.get("end"),
        "documents": " ".join(documents),
        "passages": " ".join(passages),
    }


def _scalars(row: dict[str, Any], for_gexf: bool) -> dict[str, Any]:
    renamed = {"start": "start_date", "end": "end_date"} if for_gexf else {}
    return {
        renamed.get(key, key): value
        for key, value in row.items()
        if value is not None and value != ""
    }


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


#: Every format :func:`export_graph` writes, by short name (the CLI's and the API's ``format``).
EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        _rdf_format(
            "ttl", "text/turtle", "Turtle: the union of all graphs", "turtle",
            keeps_graphs=False,
        ),
        _rdf_format(
            "nt", "application/n-triples", "N-Triples: the union of all graphs", "nt",
            keeps_graphs=False,
        ),
        _rdf_format(
            "trig", "application/trig", "TriG: one named graph per passage", "trig",
            keeps_graphs=True,
        ),
        _rdf_format(
            "nq", "application/n-quads", "N-Quads: one named graph per passage", "nquads",
            keeps_graphs=True,
        ),
        _rdf_format(
            "jsonld", "application/ld+json", "JSON-LD: one named graph per passage", "json-ld",
            keeps_graphs=True,
        ),
        ExportFormat(
            "graphml", "application/graphml+xml", "graphml",
            "GraphML: the entity network (yEd, Cytoscape, networkx)", _graphml,
        ),
        ExportFormat(
            "gexf", "application/gexf+xml", "gexf", "GEXF: the entity network (Gephi)", _gexf
        ),
        ExportFormat(
            "csv", "application/zip", "zip", "CSV: nodes.csv and edges.csv in a zip archive",
            _csv_tables,
        ),
    )
}  # fmt: skip
