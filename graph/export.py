"""Serialises the whole knowledge graph for other tools.

Formats that hold named graphs (TriG, N-Quads, JSON-LD) keep the provenance: each fact stays in
the graph of the passage that states it. Turtle and N-Triples cannot hold graphs, so they carry
the union of all data graphs; the ontology is included in every format.
"""

from __future__ import annotations

from rdflib import Dataset, Graph

from paccto.graph.errors import PacctoError
from paccto.graph.knowledge_graph import KnowledgeGraph

__all__ = ["EXPORT_FORMATS", "export_graph"]

#: Short name -> (rdflib serializer, keeps named graphs, media type)
EXPORT_FORMATS: dict[str, tuple[str, bool, str]] = {
    "ttl": ("turtle", False, "text/turtle"),
    "nt": ("nt", False, "application/n-triples"),
    "trig": ("trig", True, "application/trig"),
    "nq": ("nquads", True, "application/n-quads"),
    "jsonld": ("json-ld", True, "application/ld+json"),
}


def export_graph(kg: KnowledgeGraph, format: str) -> bytes:
    """The graph serialised in ``format`` (one of :data:`EXPORT_FORMATS`), as UTF-8 bytes."""
    try:
        serializer, keeps_graphs, _media_type = EXPORT_FORMATS[format]
    except KeyError:
        raise PacctoError(
            f"unknown export format {format!r}; choose one of {', '.join(EXPORT_FORMATS)}"
        ) from None
    if keeps_graphs:
        target: Graph | Dataset = kg.dataset
    else:
        target = Graph(namespace_manager=kg.ids.namespace_manager())
        for graph in kg.dataset.graphs():
            for triple in graph:
                target.add(triple)
    data = target.serialize(format=serializer, encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")
