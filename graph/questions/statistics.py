"""Counts that tell a curator what the graph holds: entities per class, relationships per
property, facts per source document."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from rdflib import RDF, IdentifiedNode, URIRef
from rdflib.namespace import PROV

from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.ontology.namespace import PACCTO

__all__ = ["GraphStatistics", "graph_statistics"]


@dataclass
class GraphStatistics:
    """Totals and breakdowns; keys are compact IRIs (``paccto:Country``, ``id:...``)."""

    quads: int
    distinct_triples: int
    entities: int
    relationships: int
    sources: int
    passages: int
    entities_per_class: dict[str, int] = field(default_factory=dict)
    relationships_per_property: dict[str, int] = field(default_factory=dict)
    facts_per_source: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def graph_statistics(kg: KnowledgeGraph) -> GraphStatistics:
    """Count what the loaded data holds; the ontology's own triples are left out."""
    ids = kg.ids
    provenance = kg.dataset.graph(ids.provenance_graph)
    entities_graph = kg.dataset.graph(ids.entities_graph)
    passage_source = {
        passage: provenance.value(passage, PROV.wasDerivedFrom)
        for passage in provenance.subjects(RDF.type, PACCTO.Passage)
        if isinstance(passage, IdentifiedNode)  # a passage names a graph: never a literal
    }

    per_class: Counter[str] = Counter()
    entities: set[URIRef] = set()
    for subject, cls in entities_graph.subject_objects(RDF.type):
        if isinstance(subject, URIRef):
            entities.add(subject)
            per_class[ids.compact(str(cls))] += 1

    relationships: set[tuple[object, object, object]] = set()
    per_property: Counter[str] = Counter()
    per_source: dict[str, set[tuple[object, object, object]]] = {}
    for passage, source in passage_source.items():
        source_key = ids.compact(str(source)) if source is not None else "?"
        facts = per_source.setdefault(source_key, set())
        for triple in kg.dataset.graph(passage):
            facts.add(triple)
            if triple not in relationships:
                relationships.add(triple)
                per_property[ids.compact(str(triple[1]))] += 1

    distinct = {
        triple
        for graph in kg.dataset.graphs()
        if graph.identifier != ids.ontology_graph
        for triple in graph
    }
    return GraphStatistics(
        quads=sum(
            len(graph) for graph in kg.dataset.graphs() if graph.identifier != ids.ontology_graph
        ),
        distinct_triples=len(distinct),
        entities=len(entities),
        relationships=len(relationships),
        sources=len(set(passage_source.values())),
        passages=len(passage_source),
        entities_per_class=dict(sorted(per_class.items(), key=lambda item: (-item[1], item[0]))),
        relationships_per_property=dict(
            sorted(per_property.items(), key=lambda item: (-item[1], item[0]))
        ),
        facts_per_source=dict(sorted((key, len(value)) for key, value in per_source.items())),
    )
