"""Builds a :class:`KnowledgeGraph` from the ontology, the seed facts and any extra files.

A load either succeeds whole or changes nothing: the files are read straight into a brand-new
Oxigraph store in memory, that store is validated where it is, and only then handed back (an
on-disk store writes it as a new version, which becomes current once complete). A caller
holding an older graph keeps it untouched when any step fails.

The quads go from pyoxigraph's parser to the store without becoming rdflib terms or a Python
list; validation runs as queries over the store (:mod:`paccto.graph.load.store_validation`), and
the store's layout (:mod:`paccto.graph.model.oxigraph_dataset`) is completed last: the merge in
the default graph, then the ontology.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from paccto.graph.errors import InputError, ValidationError, Violation
from paccto.graph.load.parsing import (
    LongStringsError,
    Quad,
    first_mentions,
    parse_file,
    read_quads,
)
from paccto.graph.load.resources import ontology_file, seed_files
from paccto.graph.load.store_validation import store_violations
from paccto.graph.model.gc import without_cyclic_gc
from paccto.graph.model.identifiers import Identifiers
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.oxigraph_dataset import MERGE_UPDATE, dataset_over
from paccto.graph.settings import Settings, get_settings

__all__ = [
    "add_ontology",
    "build_dataset",
    "fill_store",
    "load_knowledge_graph",
    "named_quad_count",
]


@without_cyclic_gc
def build_dataset(
    files: Sequence[Path], ids: Identifiers, *, ontology: Path | None = None
) -> Dataset:
    """The files as an rdflib dataset in memory, the ontology in its own graph.

    Not how the graph is loaded (see :func:`load_knowledge_graph`): the reference the store's
    validation and projection are held to by the tests, and what pySHACL can read.
    """
    parsed: list[tuple[Path, list[Quad]]] = [
        (path, parse_file(path, base_iri=ids.base)) for path in files
    ]
    ontology_quads = parse_file(ontology, base_iri=ids.base) if ontology else []

    dataset = Dataset(default_union=True)
    for prefix, namespace in ids.prefixes().items():
        dataset.bind(prefix, namespace, override=True, replace=True)
    graphs: dict[URIRef | BNode | None, Graph] = {}

    def graph_for(name: URIRef | BNode | None) -> Graph:
        if name not in graphs:
            graphs[name] = dataset.graph(DATASET_DEFAULT_GRAPH_ID if name is None else name)
        return graphs[name]

    ontology_graph = graph_for(ids.ontology_graph)
    for subject, predicate, obj, _graph in ontology_quads:
        ontology_graph.add((subject, predicate, obj))
    for path, quads in parsed:
        for subject, predicate, obj, graph_name in quads:
            # A blank-node graph name stays its own graph, so errors name what the user wrote.
            name = graph_name if isinstance(graph_name, URIRef | BNode) else None
            if name == ids.ontology_graph:
                raise _ontology_written(path, ids)
            graph_for(name).add((subject, predicate, obj))
    return dataset


def _ontology_written(path: Path, ids: Identifiers) -> InputError:
    return InputError(
        f"{path}: writes into the ontology's graph <{ids.ontology_graph}>, which is reserved for "
        "the vocabulary; put facts in the graph of the passage that states them"
    )


def fill_store(files: Sequence[Path], ids: Identifiers) -> ox.Store:
    """A new store holding the named graphs of ``files`` and their merge, without the ontology.

    Facts a file gives outside any named graph go into ``graph/unattributed`` (the default graph
    is the merge's). A file with a string longer than the parser's buffer is read again with its
    long strings set aside, into a fresh store: what its first reading wrote cannot be told apart.
    """
    long_strings: set[Path] = set()
    while True:
        store = ox.Store()
        try:
            for path in files:
                _read_into(store, path, ids, long_strings=path in long_strings)
        except LongStringsError:
            long_strings.add(path)
            del store
            continue
        store.update(MERGE_UPDATE)
        return store


def _read_into(store: ox.Store, path: Path, ids: Identifiers, *, long_strings: bool) -> None:
    store.bulk_extend(read_quads(path, base_iri=ids.base, long_strings=long_strings))
    # Checked per file, so that the message names the file: two index lookups, not a scan.
    ontology = ox.NamedNode(str(ids.ontology_graph))
    if next(store.quads_for_pattern(None, None, None, ontology), None) is not None:
        raise _ontology_written(path, ids)
    unattributed = ox.NamedNode(str(ids.unattributed_graph))
    loose = list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if loose:
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, unattributed) for q in loose)
        for quad in loose:
            store.remove(quad)


def add_ontology(store: ox.Store, ids: Identifiers) -> None:
    """The ontology, in its graph and in the merge: added after validation, which reads data."""
    ontology = ox.NamedNode(str(ids.ontology_graph))
    quads = [
        ox.Quad(q.subject, q.predicate, q.object, graph)
        for q in read_quads(ontology_file(), base_iri=ids.base)
        for graph in (ontology, ox.DefaultGraph())
    ]
    store.extend(quads)


def named_quad_count(store: ox.Store) -> int:
    """Quads in the named graphs: what ``len(kg)`` reports, the merge's copies not counted."""
    answer = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(next(iter(answer))[0].value)  # type: ignore[arg-type]


def load_knowledge_graph(
    settings: Settings | None = None,
    extra_files: Sequence[Path | str] = (),
) -> KnowledgeGraph:
    """Load, validate and return the knowledge graph described by ``settings``.

    Raises
    ------
    SourceNotFoundError, UnsupportedFormatError, RDFSyntaxError, UnsafeInputError
        A file is missing, of an unknown kind, malformed, or asks for something unsafe.
    InputLimitError
        A file holds a token longer than the parser can read, or memory ran out parsing it.
    ValidationError
        The data breaks the shapes or the provenance rule; it lists every violation, each with
        the files and lines that mention its entity.
    """
    settings = settings or get_settings()
    ids = Identifiers(settings.base_iri)
    seeds = seed_files() if settings.include_seeds else []
    given = [*settings.data, *(Path(path) for path in extra_files)]
    files = [*seeds, *given]
    store = fill_store(files, ids)
    violations = [
        violation
        for violation in store_violations(
            store, ids, require_provenance=settings.require_provenance
        )
        if violation.severity == "Violation"
    ]
    if violations:
        # Placing the problems parses the files again; the refused store need not stay alive.
        del store
        # The user's files first: a problem in their data is theirs to fix, not the seeds'.
        raise ValidationError(_located(violations, [*given, *seeds], ids))
    add_ontology(store, ids)
    return KnowledgeGraph(
        dataset=dataset_over(store, ids),
        ids=ids,
        files=files,
        store=store,
        quad_count=named_quad_count(store),
    )


def _located(
    violations: list[Violation], files: Sequence[Path], ids: Identifiers
) -> list[Violation]:
    """The violations with ``where`` filled in: the files at fault, and the line of the entity.

    The files at fault are those stating the property the violation is about; failing that (a
    missing label), those describing the entity; failing that (an undeclared identifier), those
    mentioning it. Done only for a failed load: it parses every file again, since keeping the
    file of every quad would cost every load.
    """
    prefixes = ids.prefixes()
    focus_iris = {v.focus: _expanded(v.focus, prefixes) for v in violations}
    wanted = {iri for iri in focus_iris.values() if iri is not None}
    if not wanted:
        return violations
    # For each file: which wanted entities it states a property of, describes, or mentions.
    stated: list[set[tuple[str, str]]] = []
    described: list[set[str]] = []
    mentioned: list[set[str]] = []
    for path in files:
        stated.append(set())
        described.append(set())
        mentioned.append(set())
        for subject, predicate, obj, graph in parse_file(path, base_iri=ids.base):
            # rdflib terms never equal plain strings, so the IRIs are compared as text.
            if isinstance(subject, URIRef) and str(subject) in wanted:
                stated[-1].add((str(subject), str(predicate)))
                described[-1].add(str(subject))
            for term in (obj, graph):
                if isinstance(term, URIRef) and str(term) in wanted:
                    mentioned[-1].add(str(term))
    lines = [
        first_mentions(path, mentioned[index] | described[index], base_iri=ids.base)
        for index, path in enumerate(files)
    ]

    def where(iri: str, path_iri: str | None) -> tuple[tuple[str, int | None], ...]:
        for holds in (
            lambda index: (iri, path_iri) in stated[index],
            lambda index: iri in described[index],
            lambda index: iri in mentioned[index],
        ):
            at_fault = [index for index in range(len(files)) if holds(index)]
            if at_fault:
                return tuple((str(files[index]), lines[index].get(iri)) for index in at_fault)
        return ()

    located: list[Violation] = []
    for violation in violations:
        iri = focus_iris[violation.focus]
        path_iri = _expanded(violation.path, prefixes) if violation.path else None
        found = where(iri, path_iri) if iri is not None else ()
        located.append(replace(violation, where=found) if found else violation)
    return located


def _expanded(focus: str, prefixes: dict[str, str]) -> str | None:
    """The IRI a violation's ``focus`` names (``id:clasi`` or ``<...>``); None for a blank node."""
    if focus.startswith("<") and focus.endswith(">"):
        return focus[1:-1]
    prefix, colon, local = focus.partition(":")
    namespace = prefixes.get(prefix) if colon else None
    return None if namespace is None else namespace + local
