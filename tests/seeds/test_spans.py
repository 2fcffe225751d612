"""Every cited span exists in its document and mentions what the facts in it are about.

Checked against the source texts in ../shared/seeds when they are present: the registered
SHA-256 must match the text, each span must lie inside it, and the span must name (by a label,
alias or search label, ignoring case and accents) the subject or object of each fact it supports.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV

from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.ontology.namespace import PACCTO

OA_START = URIRef("http://www.w3.org/ns/oa#start")
OA_END = URIRef("http://www.w3.org/ns/oa#end")
NAME_PREDICATES = (RDFS.label, SKOS.altLabel, SKOS.hiddenLabel)
#: Nodes that stand for a many-sided relationship are named through their participants.
PARTICIPANT_PREDICATES = (
    ORG.member,
    ORG.organization,
    PACCTO.indicatorOf,
    PACCTO.measure,
    PACCTO.speaker,
    PACCTO.speakerPost,
)


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold().replace("\u2019", "'")


def _documents(kg: KnowledgeGraph, folder: Path) -> dict[URIRef, str]:
    provenance = kg.dataset.graph(kg.ids.provenance_graph)
    texts = {}
    for document in provenance.subjects(RDF.type, PACCTO.SourceDocument):
        name = str(provenance.value(document, PACCTO.fileName))
        path = folder / name
        if path.is_file():
            texts[document] = path.read_bytes()
    return {document: data.decode("utf-8") for document, data in texts.items()}


def _names(kg: KnowledgeGraph, node: object, depth: int = 0) -> list[str]:
    """Labels of the node, of its participants if it is n-ary, and of its wider context."""
    if not isinstance(node, URIRef):
        return []
    names = [str(value) for p in NAME_PREDICATES for value in kg.dataset.objects(node, p)]
    if depth < 2:
        for predicate in PARTICIPANT_PREDICATES:
            for other in kg.dataset.objects(node, predicate):
                names += _names(kg, other, depth + 1)
        # an interval is named through its phase, a phase through its programme
        for phase in kg.dataset.subjects(DCTERMS.temporal, node):
            names += _names(kg, phase, depth + 1)
        for programme in kg.dataset.objects(node, PACCTO.phaseOf):
            names += _names(kg, programme, depth + 1)
    return names


def test_every_registered_document_is_present_and_unchanged(
    kg: KnowledgeGraph, source_documents: Path
) -> None:
    provenance = kg.dataset.graph(kg.ids.provenance_graph)
    documents = list(provenance.subjects(RDF.type, PACCTO.SourceDocument))
    assert len(documents) == 5
    for document in documents:
        path = source_documents / str(provenance.value(document, PACCTO.fileName))
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == str(provenance.value(document, PACCTO.sha256))
        assert len(data.decode("utf-8")) == int(provenance.value(document, PACCTO.characterCount))


def test_every_span_lies_in_its_document_and_mentions_its_facts(
    kg: KnowledgeGraph, source_documents: Path
) -> None:
    texts = _documents(kg, source_documents)
    provenance = kg.dataset.graph(kg.ids.provenance_graph)
    problems: list[str] = []
    checked = 0
    for passage in provenance.subjects(RDF.type, PACCTO.Passage):
        document = provenance.value(passage, PROV.wasDerivedFrom)
        start = int(provenance.value(passage, OA_START))
        end = int(provenance.value(passage, OA_END))
        text = texts[document]
        if not 0 <= start < end <= len(text):
            problems.append(f"{passage}: span [{start}, {end}) outside 0..{len(text)}")
            continue
        span = _normalise(text[start:end])
        facts = list(kg.dataset.graph(passage))
        assert facts, f"{passage} states nothing"
        for subject, predicate, obj in facts:
            names = _names(kg, subject) + _names(kg, obj)
            if not any(_normalise(name) in span for name in names if name):
                problems.append(
                    f"{kg.ids.compact(str(subject))} {kg.ids.compact(str(predicate))} "
                    f"{obj if isinstance(obj, Literal) else kg.ids.compact(str(obj))}: "
                    f"span [{start}, {end}) names neither side"
                )
            checked += 1
    assert problems == []
    assert checked > 400


def test_no_source_sentence_is_copied_into_labels_or_descriptions(
    kg: KnowledgeGraph, source_documents: Path
) -> None:
    """Descriptions are written in the curators' words: no run of 8 words comes from a source."""
    texts = " ".join(_normalise(text) for text in _documents(kg, source_documents).values())
    copied = []
    for subject, value in kg.dataset.subject_objects(DCTERMS.description):
        words = _normalise(str(value)).split()
        for i in range(len(words) - 7):
            if " ".join(words[i : i + 8]) in texts:
                copied.append(f"{kg.ids.compact(str(subject))}: {' '.join(words[i : i + 8])}")
                break
    assert copied == []
