"""The SPARQL 1.1 Service Description of the endpoint, so tools can discover what it offers.

Describes the query language, the result formats, the union default graph and every named graph
with its size (``void:triples``), built from the loaded dataset and the endpoint's address.
"""

from __future__ import annotations

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import VOID, XSD

from paccto.graph.model.knowledge_graph import KnowledgeGraph

__all__ = ["SD", "service_description"]

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

_RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def service_description(kg: KnowledgeGraph, endpoint: str) -> Graph:
    """Describe the endpoint at ``endpoint`` (its absolute URL) serving ``kg``."""
    description = Graph(namespace_manager=kg.ids.namespace_manager())
    description.bind("sd", SD)
    description.bind("void", VOID)
    description.bind("formats", FORMATS)
    service = URIRef(endpoint)
    description.add((service, RDF.type, SD.Service))
    description.add((service, SD.endpoint, service))
    description.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    description.add((service, SD.feature, SD.UnionDefaultGraph))
    description.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    for name in _RESULT_FORMATS:
        description.add((service, SD.resultFormat, FORMATS[name]))

    dataset = BNode()
    default_graph = BNode()
    description.add((service, SD.defaultDataset, dataset))
    description.add((dataset, RDF.type, SD.Dataset))
    description.add((dataset, SD.defaultGraph, default_graph))
    description.add((default_graph, RDF.type, SD.Graph))
    total = 0
    for name, size in sorted(kg.graph_sizes().items()):
        total += size
        named, inner = BNode(), BNode()
        description.add((dataset, SD.namedGraph, named))
        description.add((named, RDF.type, SD.NamedGraph))
        description.add((named, SD.name, URIRef(name)))
        description.add((named, SD.graph, inner))
        description.add((inner, RDF.type, SD.Graph))
        description.add((inner, VOID.triples, Literal(size, datatype=XSD.integer)))
    # The default graph is the union of the named graphs (quads counted once per graph).
    description.add((default_graph, VOID.triples, Literal(total, datatype=XSD.integer)))
    return description
