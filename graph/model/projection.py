"""The networkx view of the knowledge graph, for path, membership and network questions.

Entities become nodes and relationships become directed, typed edges that carry their readable
relation, their time interval and the source passages that state them. Nodes that only exist to
hold a many-sided relationship collapse: a membership becomes one ``member of`` edge carrying its
role and dates, a quotation becomes edges from the speaker, an indicator becomes an attribute of
the entity it measures, and a period lends its dates to its phase. Literal values (dates,
budgets, codes) become node attributes. The projection is built from the loaded dataset itself,
so it cannot disagree with what SPARQL sees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import networkx as nx
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, ORG, PROV, TIME
from rdflib.term import Node

from paccto.graph.model.folding import (
    ATTRIBUTES,
    DESCRIPTIVE_ATTRIBUTES,
    FOLDED_CLASSES,
    MEMBER_OF,
    NAME_KINDS,
    QUOTATION_LINKS,
    QUOTATION_SPEAKERS,
    RELATION_LABELS,
)
from paccto.graph.model.gc import without_cyclic_gc
from paccto.graph.model.identifiers import Identifiers
from paccto.ontology.namespace import PACCTO

__all__ = ["Projection", "build_projection", "citations"]

OA_START = URIRef("http://www.w3.org/ns/oa#start")
OA_END = URIRef("http://www.w3.org/ns/oa#end")


@dataclass
class Projection:
    """A networkx ``MultiDiGraph`` plus the lookups every query module needs."""

    graph: nx.MultiDiGraph
    relation_labels: dict[str, str] = field(default_factory=dict)
    class_labels: dict[str, str] = field(default_factory=dict)

    _simple: nx.Graph | None = field(default=None, repr=False)
    #: Cached by :func:`paccto.graph.questions.paths.hub_entities`.
    hubs: frozenset[str] | None = field(default=None, repr=False)
    #: Every entity and relation of the larger graph this projection is part of, by name and
    #: class only: what class and relation names are checked against.
    catalogue: Projection | None = field(default=None, repr=False)
    #: A catalogue's relations, one ``(key, data)`` per kind of edge (a catalogue has no edges).
    relation_entries: list[tuple[str, dict[str, Any]]] | None = field(default=None, repr=False)

    def known_entities(self) -> Iterable[tuple[str, dict[str, Any]]]:
        """Every entity of the whole graph with its attributes (names and classes at least)."""
        return (self.catalogue or self).graph.nodes(data=True)

    def known_relations(self) -> Iterable[tuple[str, dict[str, Any]]]:
        """One ``(key, data)`` for every edge, or kind of edge, of the whole graph."""
        source = self.catalogue or self
        if source.relation_entries is not None:
            return iter(source.relation_entries)
        return ((key, data) for _u, _v, key, data in source.graph.edges(keys=True, data=True))

    def undirected(self) -> nx.MultiGraph:
        """Cooperation runs both ways: paths and neighbourhoods may follow edges backwards."""
        return self.graph.to_undirected(as_view=True)

    def simple(self) -> nx.Graph:
        """Undirected, at most one edge per pair: what unweighted path search needs, built once."""
        if self._simple is None:
            # Sorted, so that algorithms sensitive to insertion order (Louvain, tie-breaking in
            # path search) answer the same in every process, whatever the hash seed.
            simple = nx.Graph()
            simple.add_nodes_from(sorted(self.graph.nodes))
            simple.add_edges_from(
                sorted({tuple(sorted((u, v))) for u, v in self.graph.edges() if u != v})
            )
            self._simple = simple
        return self._simple


_NUMERIC = frozenset(
    URIRef("http://www.w3.org/2001/XMLSchema#" + name)
    for name in ("decimal", "integer", "int", "long", "double", "float", "nonNegativeInteger")
)


def _value(node: Node) -> Any:
    """A JSON-friendly value: numbers as numbers, everything else as its lexical form."""
    if isinstance(node, Literal) and node.datatype in _NUMERIC and not node.ill_typed:
        number = node.toPython()
        return int(number) if number == int(number) else float(number)
    return str(node)


def _text(node: Node) -> str:
    return str(node)


@without_cyclic_gc
def build_projection(dataset: Dataset, ids: Identifiers) -> Projection:
    """Project the dataset's entities and relationships onto a networkx multigraph.

    One pass over the quads gathers everything (types, names, literals, facts with their
    passages); lookups through rdflib's union view, one per node, would cost far more on large
    graphs.
    """
    compact = lru_cache(maxsize=None)(ids.compact)
    ontology = dataset.graph(ids.ontology_graph)
    provenance = dataset.graph(ids.provenance_graph)

    relation_labels = {str(p): label for p, label in RELATION_LABELS.items()}
    class_labels: dict[str, str] = {}
    for term, label in ontology.subject_objects(RDFS.label):
        if isinstance(label, Literal) and label.language == "en":
            relation_labels[str(term)] = str(label)
            class_labels[compact(str(term))] = str(label)
    subclass_of = {str(s): str(o) for s, o in ontology.subject_objects(RDFS.subClassOf)}

    passages = _passages(provenance, compact)
    names: dict[str, _Names] = defaultdict(_Names)
    types: dict[str, set[str]] = defaultdict(set)
    described: dict[str, dict[str, Any]] = defaultdict(dict)
    facts: dict[tuple[str, str, Node], list[dict[str, Any]]] = defaultdict(list)

    skip = {ids.ontology_graph, ids.provenance_graph}
    # Graphs in name order, so that a fact stated in several passages lists them in the same
    # order whichever store the dataset lives in (stores enumerate graphs in their own order).
    for named in sorted(dataset.graphs(), key=lambda graph: str(graph.identifier)):
        if named.identifier in skip:
            continue
        in_descriptions = named.identifier == ids.entities_graph
        source = passages.get(str(named.identifier))
        is_default = named.identifier == DATASET_DEFAULT_GRAPH_ID
        for subject_term, predicate_term, obj in named:
            s, p = str(subject_term), str(predicate_term)
            if p == _TYPE:
                if isinstance(subject_term, URIRef):
                    types[s].add(str(obj))
            elif p in _NAME_KINDS:
                names[s].add(_NAME_KINDS[p], obj)
            elif in_descriptions:
                if _is_descriptive(p, obj):
                    described[s].setdefault(_DESCRIPTIVE_ATTRIBUTES[p], str(obj))
            else:
                sources = facts[(s, p, obj)]
                if source is not None:
                    sources.append(source)
                elif not is_default and not sources:
                    sources.append({"passage": str(named.identifier), "document": None})

    folded = {str(c) for c in FOLDED_CLASSES}
    ontology_prefix = str(ids.ontology_graph)
    graph = nx.MultiDiGraph()
    for iri in sorted(types):
        classes = types[iri]
        if classes & folded or iri.startswith(ontology_prefix):
            continue
        graph.add_node(
            iri,
            **_node_attributes(
                iri, classes, names[iri], described[iri], subclass_of, class_labels, ids, compact
            ),
        )

    @cache
    def label_of(iri: str) -> str:
        known = names.get(iri)
        return (known.label() if known else None) or compact(iri)

    periods: dict[str, dict[str, Any]] = defaultdict(dict)
    memberships: dict[str, dict[str, Any]] = defaultdict(lambda: {"sources": []})
    quotations: dict[str, dict[str, Any]] = defaultdict(lambda: {"about": [], "sources": []})
    indicators: dict[str, dict[str, Any]] = defaultdict(dict)
    temporal: dict[str, str] = {}
    membership_class, quotation_class = str(ORG.Membership), str(PACCTO.Quotation)
    indicator_class, interval_class = str(PACCTO.Indicator), str(TIME.ProperInterval)
    about, temporal_predicate = str(PACCTO.about), str(DCTERMS.temporal)
    nodes = graph.nodes

    for (subject, predicate, obj), sources in facts.items():
        subject_classes = types.get(subject, _NO_CLASSES)
        if membership_class in subject_classes:
            record = memberships[subject]
            record[predicate] = str(obj)
            _merge_sources(record["sources"], sources)
        elif quotation_class in subject_classes:
            record = quotations[subject]
            if predicate == about:
                record["about"].append(str(obj))
            else:
                record[predicate] = _value(obj)
            _merge_sources(record["sources"], sources)
        elif indicator_class in subject_classes:
            indicators[subject][predicate] = _value(obj)
            _merge_sources(indicators[subject].setdefault("sources", []), sources)
        elif interval_class in subject_classes:
            name = _ATTRIBUTES.get(predicate)
            if name:
                periods[subject][name] = str(obj)
        elif isinstance(obj, Literal):
            if subject in nodes:
                nodes[subject][_ATTRIBUTES.get(predicate) or compact(predicate)] = _value(obj)
        elif predicate == temporal_predicate:
            temporal[subject] = str(obj)
        else:
            object_iri = str(obj)
            if subject in nodes and object_iri in nodes:
                key = compact(predicate)
                if graph.has_edge(subject, object_iri, key):
                    _merge_sources(graph.edges[subject, object_iri, key]["sources"], sources)
                else:
                    graph.add_edge(
                        subject, object_iri, key=key, predicate=predicate,
                        relation=relation_labels.get(predicate, key), start=None, end=None,
                        sources=list(sources),
                    )  # fmt: skip

    for phase, period_iri in temporal.items():
        if phase in nodes:
            nodes[phase].update(periods.get(period_iri, {}))

    member_p, organisation_p = str(ORG.member), str(ORG.organization)
    role_p, during_p, member_of = str(ORG.role), str(ORG.memberDuring), str(ORG.memberOf)
    for record in memberships.values():
        member = record.get(member_p)
        organisation = record.get(organisation_p)
        if member not in nodes or organisation not in nodes:
            continue
        role = record.get(role_p)
        period = periods.get(record.get(during_p, ""), {})
        role_label = label_of(role) if role else None
        graph.add_edge(
            member,
            organisation,
            key=MEMBER_OF + (f"/{ids.local_id(role) or role}" if role else ""),
            predicate=member_of,
            relation=f"member of ({role_label.lower()})" if role_label else "member of",
            role=role_label,
            role_iri=role,
            start=period.get("start"),
            end=period.get("end"),
            sources=record["sources"],
        )

    speakers = [str(p) for p in QUOTATION_SPEAKERS]
    for quotation, record in quotations.items():
        speaker = next((record[p] for p in speakers if record.get(p)), None)
        if speaker not in nodes:
            continue
        targets = [
            (target, relation)
            for predicate, relation in QUOTATION_LINKS.items()
            for target in (
                record["about"] if str(predicate) == about else [record.get(str(predicate))]
            )
        ]
        for target, relation in targets:
            if target in nodes:
                graph.add_edge(
                    speaker,
                    target,
                    key=f"{relation}/{ids.local_id(quotation) or quotation}",
                    predicate=quotation_class,
                    relation=relation,
                    # words once spoken stay on record: valid from their date on
                    start=record.get(str(PACCTO.date)),
                    end=None,
                    sources=record["sources"],
                )

    of_p, measure_p = str(PACCTO.indicatorOf), str(PACCTO.measure)
    value_p, date_p = str(PACCTO.value), str(PACCTO.date)
    for indicator in indicators.values():
        entity = indicator.get(of_p)
        if entity in nodes:
            measure = indicator.get(measure_p)
            nodes[entity].setdefault("indicators", []).append(
                {
                    "measure": label_of(measure) if measure else None,
                    "value": indicator.get(value_p),
                    "date": indicator.get(date_p),
                    "sources": indicator.get("sources", []),
                }
            )
    for data in nodes.values():
        if "indicators" in data:  # an order that does not depend on the store's
            data["indicators"].sort(
                key=lambda item: (str(item["date"]), str(item["measure"]), str(item["value"]))
            )
    return Projection(graph=graph, relation_labels=relation_labels, class_labels=class_labels)


_TYPE = str(RDF.type)
_DESCRIPTION = str(DCTERMS.description)
_NO_CLASSES: frozenset[str] = frozenset()
_NAME_KINDS = {str(p): kind for p, kind in NAME_KINDS.items()}
_DESCRIPTIVE_ATTRIBUTES = {str(p): name for p, name in DESCRIPTIVE_ATTRIBUTES.items()}
_ATTRIBUTES = {str(p): name for p, name in ATTRIBUTES.items()}


def _is_descriptive(predicate: str, obj: Node) -> bool:
    """A description (in English or untagged), an ISO code or a name."""
    if predicate not in _DESCRIPTIVE_ATTRIBUTES or not isinstance(obj, Literal):
        return False
    return predicate != _DESCRIPTION or obj.language in (None, "en")


class _Names:
    """The names one node is known by, gathered during the single pass."""

    __slots__ = ("aliases", "labels", "search")

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.aliases: list[str] = []
        self.search: list[str] = []

    def add(self, kind: str, value: Node) -> None:
        text = str(value)
        if kind == "label":
            language = value.language if isinstance(value, Literal) else None
            self.labels.setdefault(language or "", text)
        elif kind == "alias":
            self.aliases.append(text)
        else:
            self.search.append(text)

    def label(self) -> str | None:
        return self.labels.get("en") or next(iter(self.labels.values()), None)


def _passages(provenance: Graph, compact: Any) -> dict[str, dict[str, Any]]:
    """Document, file and span of every registered passage, by passage IRI."""
    files = {str(d): str(f) for d, f in provenance.subject_objects(PACCTO.fileName)}
    records: dict[str, dict[str, Any]] = defaultdict(dict)
    wanted = {str(PROV.wasDerivedFrom): "document", str(OA_START): "start", str(OA_END): "end"}
    for subject, predicate, obj in provenance:
        field_name = wanted.get(str(predicate))
        if field_name:
            records[str(subject)][field_name] = obj
    passages = {}
    for passage in provenance.subjects(RDF.type, PACCTO.Passage):
        record = records.get(str(passage), {})
        document = record.get("document")
        passages[str(passage)] = {
            "passage": str(passage),
            "document": compact(str(document)) if document is not None else None,
            "file": files.get(str(document)),
            "start": int(record["start"]) if "start" in record else None,
            "end": int(record["end"]) if "end" in record else None,
        }
    return passages


def citations(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Where an edge or figure is stated: document, file and span, without internal ids."""
    return [
        {key: source.get(key) for key in ("document", "file", "start", "end")}
        for source in data.get("sources", [])
    ]


def _merge_sources(into: list[dict[str, Any]], sources: Iterable[dict[str, Any]]) -> None:
    for source in sources:
        if source not in into:
            into.append(source)


def _node_attributes(
    iri: str,
    classes: set[str],
    names: _Names,
    described: dict[str, Any],
    subclass_of: dict[str, str],
    class_labels: dict[str, str],
    ids: Any,
    compact: Any,
) -> dict[str, Any]:
    # the most specific class: one that is not a superclass of another of the node's classes
    ancestors: set[str] = set()
    for cls in classes:
        parent = subclass_of.get(cls)
        while parent and parent not in ancestors:
            ancestors.add(parent)
            parent = subclass_of.get(parent)
    specific = sorted(c for c in classes if c not in ancestors) or sorted(classes)
    primary = compact(specific[0])
    return {
        "iri": iri,
        "id": ids.local_id(iri) or compact(iri),
        "description": described.get("description"),
        "iso_code": described.get("iso_code"),
        "label": names.label() or compact(iri),
        "labels": names.labels,
        "aliases": sorted(set(names.aliases)),
        "search_terms": sorted(set(names.search)),
        "class": primary,
        "class_label": class_labels.get(primary, primary.split(":")[-1]),
        "classes": sorted(compact(c) for c in classes),
        **({"name": described["name"]} if "name" in described else {}),
    }
