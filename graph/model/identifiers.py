"""The IRIs of entities, sources, passages and the standard named graphs, under one base IRI.

Seeds are written with relative IRIs (``<id/clasi>``) and parsed against the configured base, so
changing the base renames every identifier without rewriting a file.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Namespace, URIRef
from rdflib.namespace import NamespaceManager

from paccto.ontology.namespace import ONTOLOGY_IRI

__all__ = ["STANDARD_PREFIXES", "Identifiers"]

STANDARD_PREFIXES: dict[str, str] = {
    "paccto": "https://w3id.org/paccto-graph/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "time": "http://www.w3.org/2006/time#",
    "oa": "http://www.w3.org/ns/oa#",
}


@dataclass(frozen=True)
class Identifiers:
    """IRI factory and shortener for one base IRI."""

    base: str

    @property
    def entity_namespace(self) -> Namespace:
        return Namespace(self.base + "id/")

    @property
    def source_namespace(self) -> Namespace:
        return Namespace(self.base + "source/")

    @property
    def entities_graph(self) -> URIRef:
        """Named graph of the curated entity descriptions (types, names, descriptions)."""
        return URIRef(self.base + "graph/entities")

    @property
    def provenance_graph(self) -> URIRef:
        """Named graph of the source register and the passage records."""
        return URIRef(self.base + "graph/provenance")

    @property
    def unattributed_graph(self) -> URIRef:
        """Named graph of facts a file gave outside any named graph.

        A store's default graph holds the RDF merge of every graph (what a query without
        ``GRAPH`` reads), so facts given in no graph are kept apart here instead, where the
        provenance rule finds them and an export writes them back.
        """
        return URIRef(self.base + "graph/unattributed")

    @property
    def ontology_graph(self) -> URIRef:
        return ONTOLOGY_IRI

    def entity(self, local_id: str) -> URIRef:
        return URIRef(self.base + "id/" + local_id)

    def source(self, local_id: str) -> URIRef:
        return URIRef(self.base + "source/" + local_id)

    def passage(self, document_id: str, start: int, end: int) -> URIRef:
        return URIRef(f"{self.base}passage/{document_id}/{start}-{end}")

    def local_id(self, iri: str) -> str | None:
        """The readable identifier of an entity IRI (``clasi``), or None for other IRIs."""
        prefix = self.base + "id/"
        return iri[len(prefix) :] if iri.startswith(prefix) else None

    def prefixes(self) -> dict[str, str]:
        """Prefixes for serialising and for SPARQL, including this base's ``id:`` and ``src:``."""
        return {**STANDARD_PREFIXES, "id": self.base + "id/", "src": self.base + "source/"}

    def namespace_manager(self) -> NamespaceManager:
        from rdflib import Graph

        manager = NamespaceManager(Graph(), bind_namespaces="none")
        for prefix, namespace in self.prefixes().items():
            manager.bind(prefix, namespace, override=True, replace=True)
        return manager

    def compact(self, iri: str) -> str:
        """``id:clasi`` for an IRI under a known prefix, ``<iri>`` otherwise."""
        best = ""
        best_prefix = ""
        for prefix, namespace in self.prefixes().items():
            if iri.startswith(namespace) and len(namespace) > len(best):
                best, best_prefix = namespace, prefix
        if best:
            local = iri[len(best) :]
            if local and all(ch.isalnum() or ch in "-_." for ch in local):
                return f"{best_prefix}:{local}"
        return f"<{iri}>"
