"""The networkx view of the knowledge graph, for path, membership and network questions.

Entities become nodes and relationships become directed, typed edges that carry their readable
relation, their time interval and the source passages that state them. Nodes that only exist to
hold a many-sided relationship collapse: a membership becomes one ``member of`` edge carrying its
role and dates, a quotation becomes edges from the speaker, an indicator becomes an attribute of
the entity it measures, and a period lends its dates to its phase. Literal values (dates,
budgets, codes) become node attributes. The projection is built from the loaded graph itself,
so it cannot disagree with what SPARQL sees.

It is built from an Oxigraph store (:func:`build_projection_from_store`) or from an rdflib
dataset (:func:`build_projection`, for the part of a graph fetched from a SPARQL server). Both
turn their terms into the same light triples (strings, and a small record per literal) and hand
them to one folding pass, so the two cannot fold differently; the store's terms are read
without making rdflib terms, which cost most of the time when a million triples went through
oxrdflib. A literal is read as rdflib reads it (its lexical form normalised, numbers converted
by rdflib's rules), so a projection does not depend on which library read the quads.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, NamedTuple, TypeAlias

import networkx as nx
import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Dataset, Literal, URIRef
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

__all__ = ["Projection", "build_projection", "build_projection_from_store", "citations"]

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


# --- the light triples both readers produce ---------------------------------------------------


class _Literal(NamedTuple):
    """A literal as the folding needs it, whichever library read it.

    Two literals are the same fact when text, language and datatype agree, as in RDF (the value
    follows from text and datatype); a simple string has no datatype, as in rdflib.
    """

    #: The lexical form as rdflib gives it (normalised for the datatypes rdflib knows).
    text: str
    language: str | None
    datatype: str | None
    #: A well-typed number as an ``int`` or ``float``, anything else as its text.
    value: Any


class _Blank(str):
    """A subject that is not an IRI (a blank node): only IRIs have classes and become nodes."""

    __slots__ = ()


def _triple_order(triple: _Triple) -> tuple[str, str, str, str, str]:
    subject, predicate, obj = triple
    if type(obj) is _Literal:
        return subject, predicate, obj.text, obj.language or "", obj.datatype or ""
    return subject, predicate, obj, "", ""  # type: ignore[return-value]


#: An object: an IRI (or blank node) as a plain string, or a literal.
_Object: TypeAlias = str | _Literal
_Triple: TypeAlias = tuple[str, str, _Object]

_NUMERIC = frozenset(
    URIRef("http://www.w3.org/2001/XMLSchema#" + name)
    for name in ("decimal", "integer", "int", "long", "double", "float", "nonNegativeInteger")
)
_XSD_STRING = str(XSD.string)
_XSD_INTEGER = str(XSD.integer)
#: Lexical forms that rdflib keeps as they are and whose value needs no rdflib (canonical
#: integers, plain dates and years): the bulk of a store's typed literals, read without it.
_AS_RDFLIB_READS = {
    _XSD_INTEGER: re.compile(r"0|-?[1-9][0-9]{0,17}"),
    str(XSD.date): re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    str(XSD.gYear): re.compile(r"[0-9]{4}"),
    str(XSD.gYearMonth): re.compile(r"[0-9]{4}-[0-9]{2}"),
}


def _literal_from_rdflib(node: Literal) -> _Literal:
    text = str(node)
    datatype = node.datatype
    if datatype is None or datatype == XSD.string:
        return _Literal(text, node.language, None, text)
    return _Literal(text, node.language, str(datatype), _number_or_text(node, text))


def _number_or_text(node: Literal, text: str) -> Any:
    """Numbers as numbers (integral ones as ``int``), everything else as its lexical form; a
    number that is not finite stays text, as JSON has no place for it."""
    if node.datatype in _NUMERIC and not node.ill_typed:
        number = node.toPython()
        try:
            return int(number) if number == int(number) else float(number)
        except (ValueError, ArithmeticError, TypeError):
            return text
    return text


def _typed_literal(text: str, datatype: str) -> _Literal:
    """What rdflib makes of a typed literal read from a store (which may write a lexical form
    otherwise than rdflib, ``1.0E3`` for ``1000.0``), through rdflib unless rdflib would keep
    the lexical form as it is."""
    known = _AS_RDFLIB_READS.get(datatype)
    if known is not None and known.fullmatch(text):
        return _Literal(text, None, datatype, int(text) if datatype == _XSD_INTEGER else text)
    return _literal_from_rdflib(Literal(text, datatype=URIRef(datatype)))


def _rdflib_triples(triples: Iterable[tuple[Node, Node, Node]]) -> Iterator[_Triple]:
    for subject, predicate, obj in triples:
        yield (
            str(subject) if isinstance(subject, URIRef) else _Blank(subject),
            str(predicate),
            _literal_from_rdflib(obj) if isinstance(obj, Literal) else str(obj),
        )


class _StoreTerms:
    """Reads a store's quads as light triples, each typed literal converted once."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.literals: dict[tuple[str, str], _Literal] = {}

    def triples(self, graph: ox.NamedNode | ox.BlankNode) -> Iterator[_Triple]:
        named, literal_class, literal = ox.NamedNode, ox.Literal, self.literal
        for quad in self.store.quads_for_pattern(None, None, None, graph):
            subject, obj = quad.subject, quad.object
            yield (
                subject.value if type(subject) is named else _Blank(_other_text(subject)),
                quad.predicate.value,
                obj.value
                if type(obj) is named
                else literal(obj)
                if type(obj) is literal_class
                else _other_text(obj),
            )

    def literal(self, term: ox.Literal) -> _Literal:
        text = term.value
        language = term.language
        if language is not None:
            return _Literal(text, language, None, text)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return _Literal(text, None, None, text)
        key = (text, datatype)
        found = self.literals.get(key)
        if found is None:
            found = self.literals[key] = _typed_literal(text, datatype)
        return found


def _other_text(term: Any) -> str:
    """A blank node's identifier, as rdflib gives it; any other term (an RDF 1.2 triple term)
    in N-Triples syntax."""
    return term.value if isinstance(term, ox.BlankNode) else str(term)


# --- the two entry points ------------------------------------------------------------------------


def build_projection(dataset: Dataset, ids: Identifiers) -> Projection:
    """Project an rdflib dataset (one loaded in memory or fetched from a SPARQL server).

    Facts in its default graph (or in ``ids.unattributed_graph``) are unattributed: stated, but
    by no passage.
    """
    return _fold(
        ontology=_rdflib_triples(dataset.graph(ids.ontology_graph)),
        provenance=_rdflib_triples(dataset.graph(ids.provenance_graph)),
        graphs=((str(named.identifier), _rdflib_triples(named)) for named in dataset.graphs()),
        ids=ids,
    )


def build_projection_from_store(store: ox.Store, ids: Identifiers) -> Projection:
    """Project an Oxigraph store laid out as a loaded graph is: its named graphs as loaded
    (unattributed facts in ``ids.unattributed_graph``), its default graph their merge, which is
    a copy and so is not read.

    Gives the projection :func:`build_projection` gives for the same quads in an rdflib dataset
    (with the unattributed facts in its default graph), read in the store's order.
    """
    terms = _StoreTerms(store)
    return _fold(
        ontology=terms.triples(ox.NamedNode(str(ids.ontology_graph))),
        provenance=terms.triples(ox.NamedNode(str(ids.provenance_graph))),
        graphs=((name.value, terms.triples(name)) for name in store.named_graphs()),
        ids=ids,
    )


# --- the folding ---------------------------------------------------------------------------------


@without_cyclic_gc
def _fold(
    ontology: Iterable[_Triple],
    provenance: Iterable[_Triple],
    graphs: Iterable[tuple[str, Iterable[_Triple]]],
    ids: Identifiers,
) -> Projection:
    """Fold light triples into the projection.

    One pass over the quads gathers everything (types, names, literals, facts with their
    passages); lookups through a union view, one per node, would cost far more on large graphs.
    ``graphs`` may list the ontology and provenance graphs too (they are passed apart, read
    first); each graph's triples are read only when its turn comes.
    """
    compact = lru_cache(maxsize=None)(ids.compact)

    relation_labels = {str(p): label for p, label in RELATION_LABELS.items()}
    class_labels: dict[str, str] = {}
    subclass_of: dict[str, str] = {}
    for term, predicate, obj in sorted(ontology, key=_triple_order):
        if predicate == _LABEL:
            if type(obj) is _Literal and obj.language == "en":
                relation_labels[str(term)] = obj.text
                class_labels[compact(str(term))] = obj.text
        elif predicate == _SUBCLASS_OF:
            subclass_of[str(term)] = _text(obj)

    passages = _passages(provenance, compact)
    names: dict[str, _Names] = defaultdict(_Names)
    types: dict[str, set[str]] = defaultdict(set)
    described: dict[str, dict[str, Any]] = defaultdict(dict)
    facts: dict[tuple[str, str, _Object], list[dict[str, Any]]] = defaultdict(list)

    skip = {str(ids.ontology_graph), str(ids.provenance_graph)}
    entities_graph = str(ids.entities_graph)
    # Facts given outside any named graph: in an rdflib dataset's default graph, in a store's
    # graph of unattributed facts. Either sorts where rdflib's default graph name does.
    unattributed = {_DEFAULT_GRAPH, str(ids.unattributed_graph)}
    # Graphs in name order, so that a fact stated in several passages lists them in the same
    # order whichever store the dataset lives in (stores enumerate graphs in their own order).
    ordered = sorted(
        graphs, key=lambda item: _DEFAULT_GRAPH if item[0] in unattributed else item[0]
    )
    name_kinds, descriptive, type_p = _NAME_KINDS, _DESCRIPTIVE_ATTRIBUTES, _TYPE
    for name, triples in ordered:
        if name in skip:
            continue
        in_descriptions = name == entities_graph
        source = passages.get(name)
        is_default = name in unattributed
        # In a canonical order: stores list a graph's triples each in its own (Oxigraph's memory
        # and disk stores differ), and the order decides which of two labels in one language
        # is shown and in what order links are listed.
        for s, p, obj in sorted(triples, key=_triple_order):
            if p == type_p:
                if type(s) is str:
                    types[s].add(obj.text if isinstance(obj, _Literal) else obj)
            elif p in name_kinds:
                names[s].add(name_kinds[p], obj)
            elif in_descriptions:
                if p in descriptive and _is_descriptive(p, obj):
                    described[s].setdefault(descriptive[p], _text(obj))
            else:
                sources = facts[(s, p, obj)]
                if source is not None:
                    sources.append(source)
                elif not is_default and not sources:
                    sources.append({"passage": name, "document": None})

    folded = {str(c) for c in FOLDED_CLASSES}
    ontology_prefix = str(ids.ontology_graph)
    graph = nx.MultiDiGraph()
    # many nodes share their classes: each set of classes is read once
    classified: dict[frozenset[str], tuple[str, str, tuple[str, ...]]] = {}
    for iri in sorted(types):
        classes = types[iri]
        if classes & folded or iri.startswith(ontology_prefix):
            continue
        class_set = frozenset(classes)
        kind = classified.get(class_set)
        if kind is None:
            kind = classified[class_set] = _classes(class_set, subclass_of, class_labels, compact)
        graph.add_node(iri, **_node_attributes(iri, kind, names[iri], described[iri], ids, compact))

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
    # Looked up once per fact: which folded class a subject is read as (the first that applies,
    # in this order), and each node's attributes, by plain dictionary lookups.
    folded_as: dict[str, str] = {}
    for iri, classes in types.items():
        for cls in (membership_class, quotation_class, indicator_class, interval_class):
            if cls in classes:
                folded_as[iri] = cls
                break
    nodes = graph.nodes
    node_data: dict[str, dict[str, Any]] = dict(nodes(data=True))
    #: The sources list of every edge drawn from a fact, to merge another statement of it into.
    edge_sources: dict[tuple[str, str, str], list[dict[str, Any]]] = {}

    for (subject, predicate, obj), sources in facts.items():
        folding = folded_as.get(subject)
        if folding is None:
            if isinstance(obj, _Literal):
                data = node_data.get(subject)
                if data is not None:
                    data[_ATTRIBUTES.get(predicate) or compact(predicate)] = obj.value
            elif predicate == temporal_predicate:
                temporal[subject] = obj
            elif subject in node_data and obj in node_data:
                key = compact(predicate)
                known = edge_sources.get((subject, obj, key))
                if known is not None:
                    _merge_sources(known, sources)
                else:
                    edge_sources[(subject, obj, key)] = listed = list(sources)
                    graph.add_edge(
                        subject, obj, key=key, predicate=predicate,
                        relation=relation_labels.get(predicate, key), start=None, end=None,
                        sources=listed,
                    )  # fmt: skip
        elif folding == membership_class:
            record = memberships[subject]
            record[predicate] = _text(obj)
            _merge_sources(record["sources"], sources)
        elif folding == quotation_class:
            record = quotations[subject]
            if predicate == about:
                record["about"].append(_text(obj))
            else:
                record[predicate] = _value(obj)
            _merge_sources(record["sources"], sources)
        elif folding == indicator_class:
            indicators[subject][predicate] = _value(obj)
            _merge_sources(indicators[subject].setdefault("sources", []), sources)
        else:
            attribute = _ATTRIBUTES.get(predicate)
            if attribute:
                periods[subject][attribute] = _text(obj)

    for phase, period_iri in temporal.items():
        if phase in node_data:
            node_data[phase].update(periods.get(period_iri, {}))

    member_p, organisation_p = str(ORG.member), str(ORG.organization)
    role_p, during_p, member_of = str(ORG.role), str(ORG.memberDuring), str(ORG.memberOf)
    for record in memberships.values():
        member = record.get(member_p)
        organisation = record.get(organisation_p)
        if member not in node_data or organisation not in node_data:
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
        if speaker not in node_data:
            continue
        targets = [
            (target, relation)
            for predicate, relation in QUOTATION_LINKS.items()
            for target in (
                record["about"] if str(predicate) == about else [record.get(str(predicate))]
            )
        ]
        for target, relation in targets:
            if target in node_data:
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
        if entity in node_data:
            measure = indicator.get(measure_p)
            node_data[entity].setdefault("indicators", []).append(
                {
                    "measure": label_of(measure) if measure else None,
                    "value": indicator.get(value_p),
                    "date": indicator.get(date_p),
                    "sources": indicator.get("sources", []),
                }
            )
    for data in node_data.values():
        if "indicators" in data:  # an order that does not depend on the store's
            data["indicators"].sort(
                key=lambda item: (str(item["date"]), str(item["measure"]), str(item["value"]))
            )
    return Projection(graph=graph, relation_labels=relation_labels, class_labels=class_labels)


_TYPE = str(RDF.type)
_LABEL = str(RDFS.label)
_SUBCLASS_OF = str(RDFS.subClassOf)
_DESCRIPTION = str(DCTERMS.description)
_DEFAULT_GRAPH = str(DATASET_DEFAULT_GRAPH_ID)
_NAME_KINDS = {str(p): kind for p, kind in NAME_KINDS.items()}
_DESCRIPTIVE_ATTRIBUTES = {str(p): name for p, name in DESCRIPTIVE_ATTRIBUTES.items()}
_ATTRIBUTES = {str(p): name for p, name in ATTRIBUTES.items()}


def _text(obj: _Object) -> str:
    """An IRI, or a literal's lexical form."""
    return obj.text if isinstance(obj, _Literal) else obj


def _value(obj: _Object) -> Any:
    """A JSON-friendly value: numbers as numbers, everything else as its lexical form."""
    return obj.value if type(obj) is _Literal else obj


def _is_descriptive(predicate: str, obj: _Object) -> bool:
    """A description (in English or untagged), an ISO code or a name."""
    if type(obj) is not _Literal:
        return False
    return predicate != _DESCRIPTION or obj.language in (None, "en")


class _Names:
    """The names one node is known by, gathered during the single pass."""

    __slots__ = ("aliases", "labels", "search")

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.aliases: list[str] = []
        self.search: list[str] = []

    def add(self, kind: str, value: _Object) -> None:
        if isinstance(value, _Literal):
            text, language = value.text, value.language
        else:
            text, language = value, None
        if kind == "label":
            self.labels.setdefault(language or "", text)
        elif kind == "alias":
            self.aliases.append(text)
        else:
            self.search.append(text)

    def label(self) -> str | None:
        return self.labels.get("en") or next(iter(self.labels.values()), None)


def _passages(provenance: Iterable[_Triple], compact: Any) -> dict[str, dict[str, Any]]:
    """Document, file and span of every registered passage, by passage IRI."""
    files: dict[str, str] = {}
    records: dict[str, dict[str, _Object]] = defaultdict(dict)
    registered: list[str] = []
    wanted = {str(PROV.wasDerivedFrom): "document", str(OA_START): "start", str(OA_END): "end"}
    file_name, passage_class = str(PACCTO.fileName), str(PACCTO.Passage)
    for subject, predicate, obj in provenance:
        if predicate == file_name:
            files[subject] = _text(obj)
        elif predicate == _TYPE and obj == passage_class:
            registered.append(subject)
        field_name = wanted.get(predicate)
        if field_name:
            records[subject][field_name] = obj
    passages = {}
    for passage in registered:
        record = records.get(passage, {})
        document = _text(record["document"]) if "document" in record else None
        passages[str(passage)] = {
            "passage": str(passage),
            "document": compact(document) if document is not None else None,
            "file": files.get(document) if document is not None else None,
            "start": int(_text(record["start"])) if "start" in record else None,
            "end": int(_text(record["end"])) if "end" in record else None,
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


def _classes(
    classes: frozenset[str], subclass_of: dict[str, str], class_labels: dict[str, str], compact: Any
) -> tuple[str, str, tuple[str, ...]]:
    """A node's class, its label, and all its classes, compacted."""
    # the most specific class: one that is not a superclass of another of the node's classes
    ancestors: set[str] = set()
    for cls in classes:
        parent = subclass_of.get(cls)
        while parent and parent not in ancestors:
            ancestors.add(parent)
            parent = subclass_of.get(parent)
    specific = sorted(c for c in classes if c not in ancestors) or sorted(classes)
    primary = compact(specific[0])
    return (
        primary,
        class_labels.get(primary, primary.split(":")[-1]),
        tuple(sorted(compact(c) for c in classes)),
    )


def _node_attributes(
    iri: str,
    kind: tuple[str, str, tuple[str, ...]],
    names: _Names,
    described: dict[str, Any],
    ids: Identifiers,
    compact: Any,
) -> dict[str, Any]:
    primary, class_label, classes = kind
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
        "class_label": class_label,
        "classes": list(classes),
        **({"name": described["name"]} if "name" in described else {}),
    }
