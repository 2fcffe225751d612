"""What an IRI of the graph dereferences to: the triples that describe one resource, and the
readable page built from them.

Linked data asks that looking up an identifier returns useful data about it. For an entity that
is more than the triples whose subject it is: its memberships, posts, quotations, figures and
periods are separate n-ary nodes (``id:membership-...``, or blank nodes in other people's files)
that point at it, and a client that receives only the entity's own triples would miss them. So
the description follows those nodes one or two steps, adds the triples that point at the
resource, and names everything it mentions, in the spirit of a symmetric concise bounded
description. It works the same for source documents (``{base}source/...``, whose passages point
at them) and for passages (``{base}passage/...``, whose named graph holds the facts they state).

The page (:func:`resource_page`) is what a person sees at the same address: names, class,
description, relationships with links to the other entities, and the documents and spans that
state each one. It is plain data; rendering belongs to the front end.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, TIME
from rdflib.term import Node

from paccto.graph.errors import UnknownEntityError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.questions.description import describe_entity
from paccto.graph.questions.fetching import around
from paccto.ontology.namespace import PACCTO

__all__ = [
    "DEFAULT_TRIPLE_LIMIT",
    "Citation",
    "Link",
    "PageFact",
    "ResourcePage",
    "Statement",
    "describe_resource",
    "resource_page",
]

#: The most triples one description holds; a hub's incoming links are cut off past it, so one
#: request can never serialise the whole graph.
DEFAULT_TRIPLE_LIMIT = 5_000

#: Classes of the nodes that only exist to hang details on an entity: their triples belong to
#: the description of whatever they point at or are pointed at from.
_DEPENDENT_CLASSES = frozenset(
    {ORG.Membership, ORG.Post, PACCTO.Quotation, PACCTO.Indicator, TIME.ProperInterval,
     PACCTO.Passage}
)  # fmt: skip
#: How many steps to follow from a dependent node to the next (membership → its period).
_DEPENDENT_DEPTH = 2
_NAME_PREDICATES = (RDFS.label, SKOS.prefLabel)
#: Shown in a page's header, so left out of its table of statements.
_HEADER_PREDICATES = frozenset({RDF.type, RDFS.label, SKOS.prefLabel, DCTERMS.description})
#: Path segments the HTTP front end serves, under the base IRI.
_SERVED = ("id/", "source/", "passage/")


@dataclass(frozen=True, slots=True)
class Link:
    """A resource to link to: ``path`` (``id/clasi``) when this service serves it, else None."""

    iri: str
    label: str
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """Where something is stated: a source document and the span ``[start, end)`` of a passage."""

    document: Link
    passage: Link | None
    start: int | None
    end: int | None

    @property
    def span(self) -> str:
        """``[300, 445)``: characters from ``start`` up to, not including, ``end``."""
        return "" if self.start is None else f"[{self.start}, {self.end})"


@dataclass(frozen=True, slots=True)
class PageFact:
    """One relationship seen from the page's entity; ``direction`` is "out" or "in"."""

    relation: str
    direction: str
    other: Link
    other_class: str
    start: str | None
    end: str | None
    sources: list[Citation] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Statement:
    """One triple as shown on a page: ``value`` for an IRI object, ``text`` for a literal."""

    subject: Link
    predicate: Link
    value: Link | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class ResourcePage:
    """What the HTML page of one resource shows.

    ``kind`` is "entity" (a node of the network), "resource" (another identifier, such as a
    membership or a period), "source" or "passage". Entities fill ``facts`` and
    ``indicators``; the others list their triples under ``statements``. A passage also lists
    the facts it states under ``stated``, and a source document its passages under
    ``passages``. ``sources`` gathers every passage cited on the page.
    """

    iri: str
    path: str | None
    kind: str
    label: str
    class_label: str | None
    description: str | None
    names: list[tuple[str, str]] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    facts: list[PageFact] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    stated: list[Statement] = field(default_factory=list)
    passages: list[Citation] = field(default_factory=list)
    sources: list[Citation] = field(default_factory=list)


def describe_resource(kg: KnowledgeGraph, iri: str, *, limit: int = DEFAULT_TRIPLE_LIMIT) -> Graph:
    """The triples that describe ``iri``, for dereferencing, with the graph's prefixes bound.

    In order, until ``limit`` triples: every triple whose subject it is (from all named
    graphs); the facts of its named graph when it is a passage; the triples of the n-ary nodes
    it reaches or that point at it (memberships, posts, quotations, figures, periods,
    passages, blank nodes), one further step for theirs; the triples whose object it is; and
    the labels of every other resource mentioned, so a client can show names.

    Raises
    ------
    UnknownEntityError
        No triple has ``iri`` as subject and no named graph has it as name; the error carries
        the closest identifiers of the same kind.

    Examples
    --------
    >>> graph = describe_resource(kg, kg.ids.entity("clasi"))
    >>> graph.value(kg.ids.entity("clasi"), RDFS.label)
    rdflib.term.Literal('Latin American Committee for Internal Security', lang='en')
    """
    node = URIRef(iri)
    kg = around(kg, [iri])
    dataset = kg.dataset
    own = sorted(dataset.triples((node, None, None)))
    is_graph = _is_graph_name(kg, node)
    if not own and not is_graph:
        raise _unknown(kg, iri)

    description = Graph(namespace_manager=kg.ids.namespace_manager())

    def add(triples: list[tuple[Node, Node, Node]]) -> bool:
        """Add while there is room; False once the limit is reached."""
        for triple in triples:
            if len(description) >= limit:
                return False
            description.add(triple)
        return True

    incoming = sorted(dataset.triples((None, None, node)))
    stated = sorted(dataset.graph(node)) if is_graph else []
    seen: set[Node] = {node}
    frontier = [o for _, _, o in own] + [s for s, _, _ in incoming]
    dependents: list[tuple[Node, Node, Node]] = []
    for _depth in range(_DEPENDENT_DEPTH):
        following: list[Node] = []
        for term in frontier:
            if term in seen or not _is_dependent(kg, term):
                continue
            seen.add(term)
            triples = sorted(dataset.triples((term, None, None)))
            dependents.extend(triples)
            following.extend(o for _, _, o in triples)
        frontier = following
    if add(own) and add(stated) and add(dependents) and add(incoming):
        mentioned = sorted(
            {
                term
                for s, p, o in description
                for term in ((s,) if p == RDF.type else (s, o))
                if isinstance(term, URIRef) and term != node
            }
        )
        labels = [
            (term, predicate, name)
            for term in mentioned
            for predicate in _NAME_PREDICATES
            for name in dataset.objects(term, predicate)
        ]
        add(sorted(labels))
    return description


def resource_page(kg: KnowledgeGraph, iri: str) -> ResourcePage:
    """What the HTML page of ``iri`` shows: see :class:`ResourcePage`.

    Raises
    ------
    UnknownEntityError
        As :func:`describe_resource`.
    """
    iri = str(iri)  # a URIRef would not find the projection's str keys (its hash differs)
    node = URIRef(iri)
    kg = around(kg, [iri])
    if iri in kg.projection.graph:
        return _entity_page(kg, iri)
    dataset = kg.dataset
    if not _is_graph_name(kg, node) and (node, None, None) not in dataset:
        raise _unknown(kg, iri)
    labels = _labels(dataset, node)
    label = labels.get("en") or next(iter(labels.values()), None) or kg.ids.compact(iri)
    classes = sorted(str(c) for c in dataset.objects(node, RDF.type))
    class_labels = kg.projection.class_labels
    class_label = (
        ", ".join(class_labels.get(kg.ids.compact(c), kg.ids.compact(c)) for c in classes) or None
    )
    statements = [
        _statement(kg, node, p, o)
        for _, p, o in sorted(dataset.triples((node, None, None)))
        if p not in _HEADER_PREDICATES
    ]
    stated: list[Statement] = []
    passages: list[Citation] = []
    sources: list[Citation] = []
    if (node, RDF.type, PACCTO.Passage) in dataset:
        kind = "passage"
        if _is_graph_name(kg, node):
            stated = [_statement(kg, s, p, o) for s, p, o in sorted(dataset.graph(node))]
        sources = [_passage_citation(kg, node)]
    elif (node, RDF.type, PACCTO.SourceDocument) in dataset:
        kind = "source"
        passages = sorted(
            (_passage_citation(kg, p) for p in dataset.subjects(PROV.wasDerivedFrom, node)),
            key=_citation_order,
        )
    else:
        kind = "resource"
        sources = sorted(
            {
                _passage_citation(kg, graph)
                for graph in _graphs_stating(dataset, node)
                if (graph, RDF.type, PACCTO.Passage) in dataset
            },
            key=_citation_order,
        )
    return ResourcePage(
        iri=iri,
        path=_path(kg, iri),
        kind=kind,
        label=label,
        class_label=class_label,
        description=_description(dataset, node),
        names=[(lang, text) for lang, text in sorted(labels.items()) if text != label],
        statements=statements,
        stated=stated,
        passages=passages,
        sources=sources,
    )


def _entity_page(kg: KnowledgeGraph, iri: str) -> ResourcePage:
    entity = describe_entity(kg, iri)
    graph = kg.projection.graph
    neighbours = {
        graph.nodes[n]["id"]: n for n in (*graph.successors(iri), *graph.predecessors(iri))
    }
    # The description's citations name document and span; the passage IRI, which is what a
    # page links to, comes from the projection's own source records.
    passage_of: dict[tuple[Any, Any, Any], str] = {}
    records = [data for *_, data in graph.out_edges(iri, keys=True, data=True)]
    records += [data for *_, data in graph.in_edges(iri, keys=True, data=True)]
    records += graph.nodes[iri].get("indicators", [])
    for record in records:
        for source in record.get("sources", []):
            key = (source.get("document"), source.get("start"), source.get("end"))
            passage_of.setdefault(key, source.get("passage"))

    def cite(documents: list[dict[str, Any]]) -> list[Citation]:
        return sorted(
            {
                _citation(kg, d, passage_of.get((d.get("document"), d.get("start"), d.get("end"))))
                for d in documents
                if d.get("document")
            },
            key=_citation_order,
        )

    facts = []
    for fact in entity.facts:
        other_iri = neighbours.get(fact.other, fact.other)
        facts.append(
            PageFact(
                relation=fact.relation, direction=fact.direction,
                other=Link(other_iri, fact.other_label, _path(kg, other_iri)),
                other_class=fact.other_class, start=fact.start, end=fact.end,
                sources=cite(fact.documents),
            )
        )  # fmt: skip
    indicators = [{**item, "sources": cite(item["sources"])} for item in entity.indicators]
    every = {c for fact in facts for c in fact.sources}
    every |= {c for item in indicators for c in item["sources"]}
    return ResourcePage(
        iri=iri,
        path=_path(kg, iri),
        kind="entity",
        label=entity.label,
        class_label=entity.class_label,
        description=entity.description,
        names=[
            (lang, text) for lang, text in sorted(entity.labels.items()) if text != entity.label
        ],
        aliases=entity.aliases,
        attributes=entity.attributes,
        indicators=indicators,
        facts=facts,
        sources=sorted(every, key=_citation_order),
    )


def _is_graph_name(kg: KnowledgeGraph, node: URIRef) -> bool:
    # Dataset.graph() would add a missing graph to the shared dataset; asking the store for one
    # quad of it does not, and costs one index lookup however many graphs there are.
    graph = kg.dataset.get_context(node)  # a handle on the graph: it adds nothing
    return next(iter(kg.dataset.quads((None, None, None, graph))), None) is not None


def _graphs_stating(dataset: Any, node: URIRef) -> set[URIRef]:
    """Names of the graphs holding a triple about ``node``."""
    names = set()
    for *_, graph in dataset.quads((node, None, None, None)):
        name = getattr(graph, "identifier", graph)
        if isinstance(name, URIRef):
            names.add(name)
    return names


def _is_dependent(kg: KnowledgeGraph, term: Node) -> bool:
    if isinstance(term, BNode):
        return True
    if not isinstance(term, URIRef):
        return False
    return any(cls in _DEPENDENT_CLASSES for cls in kg.dataset.objects(term, RDF.type))


def _unknown(kg: KnowledgeGraph, iri: str) -> UnknownEntityError:
    """The error for an IRI nothing describes, with the nearest identifiers of its kind."""
    ids = kg.ids
    local = ids.local_id(iri)
    if local is not None:
        return UnknownEntityError(local, kg.index.suggestions(local))
    # the union, not Dataset.graph(provenance), which would add a missing graph to the dataset
    provenance = kg.dataset
    source_prefix, passage_prefix = str(ids.source_namespace), ids.base + "passage/"
    if iri.startswith(source_prefix):
        known = sorted(
            str(s)[len(source_prefix) :]
            for s in provenance.subjects(RDF.type, PACCTO.SourceDocument)
            if str(s).startswith(source_prefix)
        )
        name = iri[len(source_prefix) :]
        close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
        return UnknownEntityError(f"src:{name}", [f"src:{c}" for c in close])
    if iri.startswith(passage_prefix):
        known = sorted(
            str(p)[len(ids.base) :]
            for p in provenance.subjects(RDF.type, PACCTO.Passage)
            if str(p).startswith(passage_prefix)
        )
        name = iri[len(ids.base) :]
        return UnknownEntityError(name, difflib.get_close_matches(name, known, n=5, cutoff=0.5))
    return UnknownEntityError(iri)


def _path(kg: KnowledgeGraph, iri: str) -> str | None:
    """The address under which the HTTP front end serves ``iri``, relative to its root."""
    base = kg.ids.base
    if not iri.startswith(base):
        return None
    rest = iri[len(base) :]
    return rest if any(rest.startswith(s) and len(rest) > len(s) for s in _SERVED) else None


def _link(kg: KnowledgeGraph, term: Node) -> Link:
    iri = str(term)
    if isinstance(term, BNode):
        return Link(iri=f"_:{iri}", label=f"_:{iri}")
    graph = kg.projection.graph
    label = graph.nodes[iri]["label"] if iri in graph else kg.label(URIRef(iri))
    return Link(iri=iri, label=label, path=_path(kg, iri))


def _statement(kg: KnowledgeGraph, subject: Node, predicate: Node, obj: Node) -> Statement:
    p = str(predicate)
    relation = kg.projection.relation_labels.get(p) or kg.ids.compact(p)
    verb = Link(iri=p, label=relation)
    if isinstance(obj, Literal):
        text = str(obj) + (f" @{obj.language}" if obj.language else "")
        return Statement(subject=_link(kg, subject), predicate=verb, text=text)
    return Statement(subject=_link(kg, subject), predicate=verb, value=_link(kg, obj))


def _labels(dataset: Any, node: URIRef) -> dict[str, str]:
    labels: dict[str, str] = {}
    for predicate in _NAME_PREDICATES:
        for value in dataset.objects(node, predicate):
            if isinstance(value, Literal):
                labels.setdefault(value.language or "", str(value))
    return dict(sorted(labels.items()))


def _description(dataset: Any, node: URIRef) -> str | None:
    fallback = None
    for predicate in (DCTERMS.description, DCTERMS.title):
        for value in dataset.objects(node, predicate):
            if isinstance(value, Literal):
                if value.language in (None, "en"):
                    return str(value)
                fallback = fallback or str(value)
    return fallback


def _citation(kg: KnowledgeGraph, document: dict[str, Any], passage: str | None) -> Citation:
    compact = str(document["document"])
    iri = _expand(kg, compact)
    return Citation(
        document=Link(iri=iri, label=compact.removeprefix("src:"), path=_path(kg, iri)),
        passage=(
            Link(iri=passage, label=kg.label(URIRef(passage)), path=_path(kg, passage))
            if passage
            else None
        ),
        start=document.get("start"),
        end=document.get("end"),
    )


def _passage_citation(kg: KnowledgeGraph, passage: Node) -> Citation:
    dataset = kg.dataset
    document = dataset.value(passage, PROV.wasDerivedFrom)
    start = dataset.value(passage, _OA_START)
    end = dataset.value(passage, _OA_END)
    document_iri = str(document) if document is not None else ""
    return Citation(
        document=Link(
            iri=document_iri,
            label=kg.ids.compact(document_iri).removeprefix("src:"),
            path=_path(kg, document_iri),
        ),
        passage=Link(iri=str(passage), label=kg.label(passage), path=_path(kg, str(passage))),
        start=int(start) if isinstance(start, Literal) else None,
        end=int(end) if isinstance(end, Literal) else None,
    )


def _expand(kg: KnowledgeGraph, compact: str) -> str:
    """The full IRI of a compact name (``src:doc-000``), as the projection records documents."""
    if compact.startswith("<") and compact.endswith(">"):
        return compact[1:-1]
    prefix, _, local = compact.partition(":")
    namespace = kg.ids.prefixes().get(prefix)
    return namespace + local if namespace else compact


def _citation_order(citation: Citation) -> tuple[str, int, int]:
    return (citation.document.label, citation.start or 0, citation.end or 0)


_OA_START = URIRef("http://www.w3.org/ns/oa#start")
_OA_END = URIRef("http://www.w3.org/ns/oa#end")
