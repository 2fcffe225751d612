"""The register of source documents: what each one is, and which passages of it state facts.

Every fact lives in the named graph of the passage that states it, and every passage is
registered in the provenance graph with its document and character span. This module reads
that register back, so a reader who meets ``src:doc-003`` in a citation can see what the
document is (title, publisher, date, file, SHA-256 digest) and how much of the graph rests on
each of its passages.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from paccto.graph.errors import UnknownSourceError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.projection import OA_END, OA_START
from paccto.ontology.namespace import PACCTO

__all__ = [
    "PassageRecord",
    "SourceDocument",
    "source_document",
    "source_documents",
]


@dataclass(frozen=True)
class PassageRecord:
    """One registered passage: the span ``[start, end)`` of its document, in characters, and
    how many facts (triples) its named graph states."""

    iri: str
    start: int | None
    end: int | None
    fact_count: int


@dataclass(frozen=True)
class SourceDocument:
    """A registered source document with its metadata and passages.

    ``id`` is its local identifier (``doc-003``) and ``curie`` the compact form citations use
    (``src:doc-003``). ``fact_count`` counts distinct triples over all its passages, so a fact
    two of its passages state counts once, as in
    :func:`paccto.graph.questions.statistics.graph_statistics`.
    """

    id: str
    curie: str
    iri: str
    label: str | None
    title: str | None
    language: str | None
    file_name: str | None
    sha256: str | None
    character_count: int | None
    issued: str | None
    publisher: str | None
    publisher_label: str | None
    fact_count: int
    passages: list[PassageRecord] = field(default_factory=list)

    @property
    def passage_count(self) -> int:
        return len(self.passages)


def _text(value: Node | None) -> str | None:
    return None if value is None else str(value)


def _integer(value: Node | None) -> int | None:
    if isinstance(value, Literal):
        number = value.toPython()
        if isinstance(number, int) and not isinstance(number, bool):
            return number
    return None


def _local_id(kg: KnowledgeGraph, iri: str) -> str:
    namespace = str(kg.ids.source_namespace)
    return iri[len(namespace) :] if iri.startswith(namespace) else kg.ids.compact(iri)


def source_documents(kg: KnowledgeGraph) -> list[SourceDocument]:
    """Every registered source document with its passages, by identifier.

    Reads the provenance graph and, for the counts, each passage's named graph once; the cost
    grows with the number of facts, so a caller serving many requests may keep the answer (the
    graph never changes once loaded).
    """
    provenance = kg.dataset.graph(kg.ids.provenance_graph)
    by_document: dict[Node, list[URIRef]] = {}
    for passage in provenance.subjects(RDF.type, PACCTO.Passage):
        document = provenance.value(passage, PROV.wasDerivedFrom)
        if isinstance(passage, URIRef) and document is not None:
            by_document.setdefault(document, []).append(passage)

    documents = []
    for document in set(provenance.subjects(RDF.type, PACCTO.SourceDocument)):
        passages = []
        facts: set[tuple[Node, Node, Node]] = set()
        for passage in by_document.get(document, []):
            stated = set(kg.dataset.graph(passage))
            facts |= stated
            passages.append(
                PassageRecord(
                    iri=str(passage),
                    start=_integer(provenance.value(passage, OA_START)),
                    end=_integer(provenance.value(passage, OA_END)),
                    fact_count=len(stated),
                )
            )
        passages.sort(key=lambda p: (p.start is None, p.start or 0, p.end or 0, p.iri))
        publisher = provenance.value(document, DCTERMS.publisher)
        iri = str(document)
        documents.append(
            SourceDocument(
                id=_local_id(kg, iri),
                curie=kg.ids.compact(iri),
                iri=iri,
                label=_text(provenance.value(document, RDFS.label)),
                title=_text(provenance.value(document, DCTERMS.title)),
                language=_text(provenance.value(document, DCTERMS.language)),
                file_name=_text(provenance.value(document, PACCTO.fileName)),
                sha256=_text(provenance.value(document, PACCTO.sha256)),
                character_count=_integer(provenance.value(document, PACCTO.characterCount)),
                issued=_text(provenance.value(document, DCTERMS.issued)),
                publisher=(
                    (kg.ids.local_id(str(publisher)) or kg.ids.compact(str(publisher)))
                    if isinstance(publisher, URIRef)
                    else _text(publisher)
                ),
                publisher_label=kg.label(publisher) if isinstance(publisher, URIRef) else None,
                fact_count=len(facts),
                passages=passages,
            )
        )
    return sorted(documents, key=lambda d: d.id)


def source_document(kg: KnowledgeGraph, name: str) -> SourceDocument:
    """The registered source document ``name`` designates: its identifier (``doc-003``), the
    compact form citations use (``src:doc-003``) or its IRI, in any case.

    Raises
    ------
    UnknownSourceError
        No registered document has that identifier; the error lists the closest ones.

    Examples
    --------
    >>> source_document(kg, "src:doc-003").file_name
    '003_c1af3d0165c45628.txt'
    """
    documents = source_documents(kg)
    wanted = name.strip().casefold()
    for document in documents:
        if wanted in (document.id.casefold(), document.curie.casefold(), document.iri.casefold()):
            return document
    ids = [document.id for document in documents]
    close = difflib.get_close_matches(wanted.removeprefix("src:"), ids, n=5, cutoff=0.5)
    raise UnknownSourceError(name, close or ids[:5])
