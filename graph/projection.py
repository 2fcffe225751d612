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
from typing import Any

import networkx as nx
from rdflib import RDF, RDFS, SKOS, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, TIME
from rdflib.term import Node

from paccto.graph.knowledge_graph import KnowledgeGraph
from paccto.ontology.namespace import PACCTO

__all__ = ["MEMBER_OF", "Projection", "build_projection", "citations"]

OA_START = URIRef("http://www.w3.org/ns/oa#start")
OA_END = URIRef("http://www.w3.org/ns/oa#end")

#: Edge key and predicate of a collapsed membership (ORG's own shortcut property).
MEMBER_OF = "org:memberOf"

#: Classes whose instances are not nodes: they are folded into edges or attributes, or are
#: vocabulary (roles, measures, schemes) and provenance.
_FOLDED_CLASSES = frozenset(
    {
        ORG.Membership,
        PACCTO.Indicator,
        PACCTO.Quotation,
        TIME.ProperInterval,
        PACCTO.Measure,
        PACCTO.ParticipationRole,
        ORG.Role,
        SKOS.ConceptScheme,
        PACCTO.SourceDocument,
        PACCTO.Passage,
        PROV.Organization,
        PROV.Agent,
        PROV.Entity,
    }
)

#: Readable names of predicates the ontology does not declare itself.
_RELATION_LABELS = {
    str(ORG.holds): "holds post",
    str(ORG.postIn): "post in",
    str(ORG.subOrganizationOf): "sub-organisation of",
    str(ORG.memberOf): "member of",
    str(DCTERMS.isPartOf): "part of",
    str(DCTERMS.publisher): "publisher",
}

#: Literal-valued properties kept as node attributes, under these names.
_ATTRIBUTES = {
    PACCTO.startDate: "start",
    PACCTO.endDate: "end",
    PACCTO.date: "date",
    PACCTO.foundingDate: "founding_date",
    PACCTO.budgetEUR: "budget_eur",
    PACCTO.plannedDuration: "planned_duration",
    PACCTO.isoCode: "iso_code",
    DCTERMS.description: "description",
    FOAF.name: "name",
}

_NAME_PREDICATES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)


@dataclass
class Projection:
    """A networkx ``MultiDiGraph`` plus the lookups every query module needs."""

    graph: nx.MultiDiGraph
    relation_labels: dict[str, str] = field(default_factory=dict)
    class_labels: dict[str, str] = field(default_factory=dict)

    _simple: nx.Graph | None = field(default=None, repr=False)
    #: Cached by :func:`paccto.graph.paths.hub_entities`.
    hubs: frozenset[str] | None = field(default=None, repr=False)

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
            simple.add_edges_from(sorted((u, v) for u, v in self.graph.edges() if u != v))
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


def build_projection(kg: KnowledgeGraph) -> Projection:
    """Project the dataset's entities and relationships onto a networkx multigraph."""
    ids = kg.ids
    dataset = kg.dataset
    ontology = dataset.graph(ids.ontology_graph)
    provenance = dataset.graph(ids.provenance_graph)

    relation_labels = dict(_RELATION_LABELS)
    class_labels: dict[str, str] = {}
    for term, label in ontology.subject_objects(RDFS.label):
        if isinstance(label, Literal) and label.language == "en":
            relation_labels[str(term)] = str(label)
            class_labels[ids.compact(str(term))] = str(label)
    subclass_of = {str(s): str(o) for s, o in ontology.subject_objects(RDFS.subClassOf)}

    # --- what each node is -------------------------------------------------------------------
    types: dict[str, set[str]] = defaultdict(set)
    for subject, cls in dataset.subject_objects(RDF.type):
        if isinstance(subject, URIRef):
            types[str(subject)].add(str(cls))
    folded = {str(c) for c in _FOLDED_CLASSES}
    node_iris = {
        iri
        for iri, classes in types.items()
        if not classes & folded and not iri.startswith(str(ids.ontology_graph))
    }

    # --- provenance of each passage graph ----------------------------------------------------
    files = {str(d): str(f) for d, f in provenance.subject_objects(PACCTO.fileName)}
    passages: dict[str, dict[str, Any]] = {}
    for passage in provenance.subjects(RDF.type, PACCTO.Passage):
        document = provenance.value(passage, PROV.wasDerivedFrom)
        start = provenance.value(passage, OA_START)
        end = provenance.value(passage, OA_END)
        passages[str(passage)] = {
            "passage": str(passage),
            "document": ids.compact(str(document)),
            "file": files.get(str(document)),
            "start": int(start) if start is not None else None,
            "end": int(end) if end is not None else None,
        }

    graph = nx.MultiDiGraph()
    for iri in node_iris:
        graph.add_node(iri, **_node_attributes(kg, iri, types[iri], subclass_of, class_labels))

    # --- facts, with the passages that state them ---------------------------------------------
    facts: dict[tuple[str, str, Node], list[dict[str, Any]]] = defaultdict(list)
    skip = {ids.ontology_graph, ids.entities_graph, ids.provenance_graph}
    for named in dataset.graphs():
        if named.identifier in skip:
            continue
        source = passages.get(str(named.identifier))
        is_default = named.identifier == DATASET_DEFAULT_GRAPH_ID
        for subject, predicate, obj in named:
            sources = facts[(str(subject), str(predicate), obj)]
            if source is not None:
                sources.append(source)
            elif not is_default and not sources:
                sources.append({"passage": str(named.identifier), "document": None})

    periods: dict[str, dict[str, Any]] = defaultdict(dict)
    memberships: dict[str, dict[str, Any]] = defaultdict(lambda: {"sources": []})
    quotations: dict[str, dict[str, Any]] = defaultdict(lambda: {"about": [], "sources": []})
    indicators: dict[str, dict[str, Any]] = defaultdict(dict)
    temporal: dict[str, str] = {}

    for (subject, predicate, obj), sources in facts.items():
        classes = types.get(subject, set())
        if str(ORG.Membership) in classes:
            record = memberships[subject]
            record[predicate] = str(obj)
            _merge_sources(record["sources"], sources)
        elif str(PACCTO.Quotation) in classes:
            record = quotations[subject]
            if predicate == str(PACCTO.about):
                record["about"].append(str(obj))
            else:
                record[predicate] = _value(obj)
            _merge_sources(record["sources"], sources)
        elif str(PACCTO.Indicator) in classes:
            indicators[subject][predicate] = _value(obj)
            _merge_sources(indicators[subject].setdefault("sources", []), sources)
        elif str(TIME.ProperInterval) in classes:
            name = _ATTRIBUTES.get(URIRef(predicate))
            if name:
                periods[subject][name] = _text(obj)
        elif isinstance(obj, Literal):
            name = _ATTRIBUTES.get(URIRef(predicate), ids.compact(predicate))
            if subject in graph:
                graph.nodes[subject][name] = _value(obj)
        elif predicate == str(DCTERMS.temporal):
            temporal[subject] = str(obj)
        elif subject in graph and str(obj) in graph:
            _add_edge(graph, ids, relation_labels, subject, predicate, str(obj), sources)

    for phase, period in temporal.items():
        if phase in graph:
            graph.nodes[phase].update(periods.get(period, {}))

    for record in memberships.values():
        member = record.get(str(ORG.member))
        organisation = record.get(str(ORG.organization))
        if member not in graph or organisation not in graph:
            continue
        role = record.get(str(ORG.role))
        period = periods.get(record.get(str(ORG.memberDuring), ""), {})
        role_label = kg.label(URIRef(role)) if role else None
        key = MEMBER_OF + (f"/{ids.local_id(role) or role}" if role else "")
        graph.add_edge(
            member,
            organisation,
            key=key,
            predicate=str(ORG.memberOf),
            relation=f"member of ({role_label.lower()})" if role_label else "member of",
            role=role_label,
            role_iri=role,
            start=period.get("start"),
            end=period.get("end"),
            sources=record["sources"],
        )

    for quotation, record in quotations.items():
        speaker = record.get(str(PACCTO.speaker)) or record.get(str(PACCTO.speakerPost))
        if speaker not in graph:
            continue
        targets = [
            (record.get(str(PACCTO.speaksFor)), "quoted speaking for"),
            (record.get(str(PACCTO.quotedAt)), "quoted at"),
            *((about, "quoted about") for about in record["about"]),
        ]
        for target, relation in targets:
            if target in graph:
                graph.add_edge(
                    speaker,
                    target,
                    key=f"{relation}/{ids.local_id(quotation) or quotation}",
                    predicate=str(PACCTO.Quotation),
                    relation=relation,
                    # words once spoken stay on record: valid from their date on
                    start=record.get(str(PACCTO.date)),
                    end=None,
                    sources=record["sources"],
                )

    for indicator in indicators.values():
        entity = indicator.get(str(PACCTO.indicatorOf))
        if entity in graph:
            measure = indicator.get(str(PACCTO.measure))
            graph.nodes[entity].setdefault("indicators", []).append(
                {
                    "measure": kg.label(URIRef(measure)) if measure else None,
                    "value": indicator.get(str(PACCTO.value)),
                    "date": indicator.get(str(PACCTO.date)),
                    "sources": indicator.get("sources", []),
                }
            )
    return Projection(graph=graph, relation_labels=relation_labels, class_labels=class_labels)


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


def _add_edge(
    graph: nx.MultiDiGraph,
    ids: Any,
    relation_labels: dict[str, str],
    subject: str,
    predicate: str,
    obj: str,
    sources: list[dict[str, Any]],
) -> None:
    key = ids.compact(predicate)
    if graph.has_edge(subject, obj, key):
        _merge_sources(graph.edges[subject, obj, key]["sources"], sources)
        return
    graph.add_edge(
        subject,
        obj,
        key=key,
        predicate=predicate,
        relation=relation_labels.get(predicate, key),
        start=None,
        end=None,
        sources=list(sources),
    )


def _node_attributes(
    kg: KnowledgeGraph,
    iri: str,
    classes: set[str],
    subclass_of: dict[str, str],
    class_labels: dict[str, str],
) -> dict[str, Any]:
    ids = kg.ids
    node = URIRef(iri)
    labels: dict[str, str] = {}
    aliases: list[str] = []
    hidden: list[str] = []
    for predicate in _NAME_PREDICATES:
        for value in kg.dataset.objects(node, predicate):
            text = str(value)
            if predicate in (RDFS.label, SKOS.prefLabel):
                language = value.language if isinstance(value, Literal) else None
                labels.setdefault(language or "", text)
            elif predicate == SKOS.altLabel:
                aliases.append(text)
            else:
                hidden.append(text)
    # the most specific class: one that is not a superclass of another of the node's classes
    ancestors = set()
    for cls in classes:
        parent = subclass_of.get(cls)
        while parent and parent not in ancestors:
            ancestors.add(parent)
            parent = subclass_of.get(parent)
    specific = sorted(c for c in classes if c not in ancestors) or sorted(classes)
    primary = ids.compact(specific[0])
    description = next(
        (
            str(v)
            for v in kg.dataset.objects(node, DCTERMS.description)
            if isinstance(v, Literal) and v.language in (None, "en")
        ),
        None,
    )
    iso_code = kg.dataset.value(node, PACCTO.isoCode)
    return {
        "iri": iri,
        "id": ids.local_id(iri) or ids.compact(iri),
        "description": description,
        "iso_code": str(iso_code) if iso_code is not None else None,
        "label": labels.get("en") or next(iter(labels.values()), ids.compact(iri)),
        "labels": labels,
        "aliases": sorted(set(aliases)),
        "search_terms": sorted(set(hidden)),
        "class": primary,
        "class_label": class_labels.get(primary, primary.split(":")[-1]),
        "classes": sorted(ids.compact(c) for c in classes),
    }
