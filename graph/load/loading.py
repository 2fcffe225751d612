"""Builds a :class:`KnowledgeGraph` from the ontology, the seed facts and any extra files.

A load either succeeds whole or changes nothing: every file is parsed first, the quads go into a
brand-new dataset, and that dataset is validated before it is handed back. A caller holding an
older graph keeps it untouched when any step fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from paccto.graph.errors import InputError, ValidationError, Violation
from paccto.graph.load.parsing import Quad, first_mentions, parse_file
from paccto.graph.load.resources import ontology_file, seed_files
from paccto.graph.load.validation import validate
from paccto.graph.model.gc import without_cyclic_gc
from paccto.graph.model.identifiers import Identifiers
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import Settings, get_settings

__all__ = ["build_dataset", "load_knowledge_graph"]


@without_cyclic_gc
def build_dataset(
    files: Sequence[Path], ids: Identifiers, *, ontology: Path | None = None
) -> Dataset:
    """Parse every file, then put all quads into one new dataset.

    The ontology file's triples go into their own named graph so that data queries and
    validation can tell vocabulary from facts. Parsing finishes for every file before the
    dataset is built, so a syntax error in the last file costs no work on the others.
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
                raise InputError(
                    f"{path}: writes into the ontology's graph <{name}>, which is reserved for "
                    "the vocabulary; put facts in the graph of the passage that states them"
                )
            graph_for(name).add((subject, predicate, obj))
    return dataset


def load_knowledge_graph(
    settings: Settings | None = None, extra_files: Sequence[Path | str] = ()
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
    dataset = build_dataset(files, ids, ontology=ontology_file())
    violations = [
        violation
        for violation in validate(dataset, ids, require_provenance=settings.require_provenance)
        if violation.severity == "Violation"
    ]
    if violations:
        # Placing the problems parses the files again; the refused dataset need not stay alive.
        del dataset
        # The user's files first: a problem in their data is theirs to fix, not the seeds'.
        raise ValidationError(_located(violations, [*given, *seeds], ids))
    return KnowledgeGraph(dataset=dataset, ids=ids, files=files)


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
