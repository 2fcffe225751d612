"""Checks a dataset against the SHACL shapes and the provenance rule, as a list of violations.

SHACL (pySHACL) validates triples; it cannot see which named graph a triple sits in. The rule that
makes provenance trustworthy, "every fact lives in the graph of a registered passage", is about
quads, so :func:`provenance_violations` checks it here and reports it in the same form.

``ontology/shapes.ttl`` stays the whole rule book, so any SHACL engine can check a file against it.
Two of its shapes are evaluated here by set arithmetic instead of by pySHACL: the SPARQL-targeted
``shape:TypedEntity`` (rdflib evaluates its UNION-and-DISTINCT target in Python) and the qualified
``shape:EnglishLabel`` (pySHACL validates a nested shape per label). Together they took 50 of the 58
seconds pySHACL spent on a 100 k-triple graph; here they take about one. ``native=False`` hands
every shape to pySHACL, and a test holds the two ways to the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache, partial

from rdflib import RDF, RDFS, SKOS, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV
from rdflib.term import Node

from paccto.graph.errors import Violation
from paccto.graph.load.resources import shapes_file
from paccto.graph.model.identifiers import Identifiers
from paccto.ontology.namespace import PACCTO

__all__ = [
    "DESCRIPTIVE_PREDICATES",
    "PROVENANCE_RULE",
    "SPAN_RULE",
    "provenance_violations",
    "report_violations",
    "shacl_violations",
    "shape_name_in",
    "validate",
]

SH = Namespace("http://www.w3.org/ns/shacl#")
OA = Namespace("http://www.w3.org/ns/oa#")
SHAPE = Namespace("https://w3id.org/paccto-graph/shapes#")

#: Shapes of ``shapes.ttl`` evaluated by :func:`_native_violations` rather than by pySHACL.
_NATIVE_SHAPES = (SHAPE.TypedEntity, SHAPE.EnglishLabel)

#: What the ``shape`` of a violation found beside the shapes says, so that counts by shape can
#: tell the rules apart.
PROVENANCE_RULE = "provenance rule"
SPAN_RULE = "passage span rule"

#: Predicates allowed in the curated descriptions graph: names, types and classifications that
#: say what an entity is. Anything else is a relationship and must be cited from a passage.
DESCRIPTIVE_PREDICATES: frozenset[URIRef] = frozenset(
    {
        RDF.type,
        RDFS.label,
        RDFS.comment,
        SKOS.prefLabel,
        SKOS.altLabel,
        SKOS.hiddenLabel,
        SKOS.definition,
        SKOS.notation,
        SKOS.inScheme,
        SKOS.topConceptOf,
        SKOS.hasTopConcept,
        SKOS.exactMatch,
        SKOS.closeMatch,
        DCTERMS.description,
        FOAF.name,
        OWL.sameAs,
        PACCTO.isoCode,
    }
)

_PROVENANCE_CLASSES = frozenset(
    {PACCTO.SourceDocument, PACCTO.Passage, PROV.Entity, PROV.Agent, PROV.Organization}
)


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    return Graph().parse(shapes_file(), format="turtle")


def _described_by(graph: Graph, node: Node) -> set[tuple[Node, Node, Node]]:
    """The triples about ``node`` and, through blank nodes, about what they describe."""
    found: set[tuple[Node, Node, Node]] = set()
    pending = [node]
    while pending:
        for triple in graph.triples((pending.pop(), None, None)):
            if triple not in found:
                found.add(triple)
                if isinstance(triple[2], BNode):
                    pending.append(triple[2])
    return found


@lru_cache(maxsize=1)
def _shapes_for_pyshacl() -> Graph:
    """The shapes without the native ones, and without the links that point at them."""
    shapes = _shapes()
    kept = Graph()
    dropped: set[tuple[Node, Node, Node]] = set()
    for shape in _NATIVE_SHAPES:
        dropped |= _described_by(shapes, shape)
    for triple in shapes:
        if triple not in dropped and triple[2] not in _NATIVE_SHAPES:
            kept.add(triple)
    return kept


def shape_name_in(shapes: Graph, shape: Node | None) -> str | None:
    """The named shape of ``shapes`` a result comes from: a blank property shape is named by
    its node shape.

    pySHACL reports the property shape that failed, which ``shapes.ttl`` mostly writes as a
    blank node; counting problems by ``_:N3f...`` would tell the user nothing.
    """
    seen: set[Node] = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        shape = next(shapes.subjects(None, shape), None)
    if not isinstance(shape, URIRef):
        return None
    local = str(shape).removeprefix(str(SHAPE))
    return f"shape:{local}" if local != str(shape) else f"<{shape}>"


@lru_cache(maxsize=256)
def _shape_name(shape: Node | None) -> str | None:
    return shape_name_in(_shapes(), shape)


def report_violations(report: Graph, ids: Identifiers, shapes: Graph) -> list[Violation]:
    """A pySHACL report's own results as violations.

    Only the report's own results: the sh:detail results nested under an sh:node or sh:or
    failure explain it, and are not problems of their own.
    """
    named = _shape_name if shapes is _shapes() else partial(shape_name_in, shapes)
    violations = []
    for result in report.objects(None, SH.result):
        severity = report.value(result, SH.resultSeverity)
        violations.append(
            Violation(
                focus=_text(ids, report.value(result, SH.focusNode)) or "?",
                path=_text(ids, report.value(result, SH.resultPath)),
                message=str(report.value(result, SH.resultMessage) or "does not conform"),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                value=_text(ids, report.value(result, SH.value)),
                shape=named(report.value(result, SH.sourceShape)),
            )
        )
    return violations


def _message(shape: URIRef) -> str:
    """The shape's own message, or its one property shape's: the text lives in shapes.ttl only."""
    shapes = _shapes()
    message = shapes.value(shape, SH.message)
    if message is None:
        message = shapes.value(shapes.value(shape, SH.property), SH.message)
    return str(message)


def _undeclared_iris(data: Graph, typed: set[Node]) -> Iterable[URIRef]:
    """``shape:TypedEntity``: IRIs used as a subject, or as an object other than of rdf:type,
    that are not among the ``typed`` subjects."""
    used: set[URIRef] = set()
    for subject, predicate, obj in data:
        if isinstance(subject, URIRef):
            used.add(subject)
        if isinstance(obj, URIRef) and predicate != RDF.type:
            used.add(obj)
    used.difference_update(typed)
    return used


def _is_english(label: Node) -> bool:
    """sh:languageIn ("en") as SPARQL's langMatches reads it: ``en``, ``EN``, ``en-GB``..."""
    return isinstance(label, Literal) and (label.language or "").lower().split("-")[0] == "en"


def _native_violations(data: Graph, ids: Identifiers) -> list[Violation]:
    typed = set(data.subjects(RDF.type, None))
    violations = [
        Violation(
            focus=_text(ids, iri) or "?",
            path="rdf:type",
            message=_message(SHAPE.TypedEntity),
            shape=_shape_name(SHAPE.TypedEntity),
        )
        for iri in _undeclared_iris(data, typed)
    ]
    english_label = _message(SHAPE.EnglishLabel)
    violations.extend(
        Violation(
            focus=_text(ids, entity) or "?",
            path="rdfs:label",
            message=english_label,
            shape=_shape_name(SHAPE.EnglishLabel),
        )
        for entity in typed
        if not any(_is_english(label) for label in data.objects(entity, RDFS.label))
    )
    return violations


def _data_graph(dataset: Dataset, ids: Identifiers) -> Graph:
    """Union of every graph except the ontology: the ontology is vocabulary, not data."""
    data = Graph()
    for graph in dataset.graphs():
        if graph.identifier != ids.ontology_graph:
            for triple in graph:
                data.add(triple)
    return data


def _text(ids: Identifiers, node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        return ids.compact(str(node))
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        return repr(str(node)) + (f"^^{ids.compact(str(node.datatype))}" if node.datatype else "")
    return str(node)


def shacl_violations(dataset: Dataset, ids: Identifiers, *, native: bool = True) -> list[Violation]:
    """Run the SHACL shapes over the data graphs and turn each result into a :class:`Violation`.

    With ``native`` (the default) the shapes named in ``_NATIVE_SHAPES`` are evaluated here and
    the rest by pySHACL; without it pySHACL evaluates them all, which is the reference.
    """
    import pyshacl  # heavy import, needed only when validating

    data = _data_graph(dataset, ids)
    violations = _native_violations(data, ids) if native else []
    _conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=_shapes_for_pyshacl() if native else _shapes(),
        inference="none",
        # SHACL-AF only for shape:TypedEntity's SPARQL target, and advanced mode makes pySHACL
        # copy the data graph first; ``data`` is our own copy already, so it may work in place.
        advanced=not native,
        inplace=True,
        allow_warnings=True,
        abort_on_first=False,
        do_owl_imports=False,
    )
    violations.extend(report_violations(report, ids, _shapes()))
    return sorted(violations, key=lambda v: (v.focus, v.path or "", v.message))


def provenance_violations(dataset: Dataset, ids: Identifiers) -> list[Violation]:
    """Facts outside a registered passage graph, and relationships in the descriptions graph.

    Spans that run past their document are checked by :func:`validate` whatever the setting.
    """
    provenance = dataset.graph(ids.provenance_graph)
    passages = set(provenance.subjects(RDF.type, PACCTO.Passage))
    violations: list[Violation] = []

    def report(graph_name: str, triples: Iterable[tuple[Node, Node, Node]], message: str) -> None:
        # Every fact is listed, however many: front ends bound what they show, and counts by
        # rule and property are only right if nothing was summarised away here.
        in_graph = f"{message} (graph {graph_name})"
        violations.extend(
            Violation(
                focus=_text(ids, subject) or "?",
                path=_text(ids, predicate),
                message=in_graph,
                shape=PROVENANCE_RULE,
            )
            for subject, predicate, _object in triples
        )

    for graph in dataset.graphs():
        name = graph.identifier
        if name == ids.ontology_graph or len(graph) == 0:
            continue
        if name == DATASET_DEFAULT_GRAPH_ID:
            report(
                "default",
                graph,
                "fact with no provenance: it is in the default graph, not in the graph of a "
                "passage of a registered source document",
            )
        elif name == ids.entities_graph:
            report(
                ids.compact(str(name)),
                ((s, p, o) for s, p, o in graph if p not in DESCRIPTIVE_PREDICATES),
                "relationship in the curated descriptions graph: move it to the graph of the "
                "passage that states it",
            )
        elif name == ids.provenance_graph:
            report(
                ids.compact(str(name)),
                (
                    (s, p, o)
                    for s, p, o in graph
                    if not any((s, RDF.type, cls) in graph for cls in _PROVENANCE_CLASSES)
                ),
                "statement in the provenance graph about something that is neither a source "
                "document nor a passage",
            )
        elif name not in passages:
            report(
                _text(ids, name) or str(name),
                graph,
                "fact in a named graph that is not a registered paccto:Passage, so no source "
                "document and span support it",
            )
    return violations


def _spans_outside_documents(provenance: Graph, ids: Identifiers) -> Iterable[Violation]:
    """Passages whose end lies past the end of the document they cite."""
    lengths = {
        document: int(length)
        for document, length in provenance.subject_objects(PACCTO.characterCount)
        if isinstance(length, Literal) and str(length).isdigit()
    }
    for passage in provenance.subjects(RDF.type, PACCTO.Passage):
        document = provenance.value(passage, PROV.wasDerivedFrom)
        end = provenance.value(passage, OA.end)
        length = lengths.get(document)  # type: ignore[arg-type]
        if (
            length is not None
            and isinstance(end, Literal)
            and str(end).isdigit()
            and int(end) > length
        ):
            yield Violation(
                focus=_text(ids, passage) or "?",
                path="oa:end",
                message=f"the passage ends after the end of its document ({length} characters)",
                value=str(end),
                shape=SPAN_RULE,
            )


def validate(
    dataset: Dataset, ids: Identifiers, *, require_provenance: bool = True
) -> list[Violation]:
    """Every problem found, SHACL first; an empty list means the dataset may be used."""
    violations = shacl_violations(dataset, ids)
    # A citation that points past its document is broken whether or not every fact must be cited.
    violations.extend(_spans_outside_documents(dataset.graph(ids.provenance_graph), ids))
    if require_provenance:
        violations.extend(provenance_violations(dataset, ids))
    return [v for v in violations if v.severity == "Violation"] + [
        v for v in violations if v.severity != "Violation"
    ]
