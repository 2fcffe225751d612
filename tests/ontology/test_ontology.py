"""The vocabulary is complete and the Python namespace mirrors the Turtle."""

from __future__ import annotations

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, SKOS

from paccto.graph.load.resources import ontology_file
from paccto.ontology.namespace import PACCTO

NS = str(PACCTO._NS)


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_file(), format="turtle")


def _declared_terms(ontology: rdflib.Graph) -> set[str]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {
        str(term)[len(NS) :]
        for kind in kinds
        for term in ontology.subjects(RDF.type, kind)
        if str(term).startswith(NS)
    }


def test_namespace_module_lists_exactly_the_declared_terms(ontology: rdflib.Graph) -> None:
    in_python = set(PACCTO.__annotations__)
    assert in_python == _declared_terms(ontology)


def test_a_mistyped_term_fails_at_once() -> None:
    with pytest.raises(AttributeError):
        _ = PACCTO.helpedCreat


def test_every_term_has_english_and_spanish_labels_and_a_definition(
    ontology: rdflib.Graph,
) -> None:
    missing = []
    for local in sorted(_declared_terms(ontology)):
        term = rdflib.URIRef(NS + local)
        languages = {label.language for label in ontology.objects(term, RDFS.label)}
        if not {"en", "es"} <= languages:
            missing.append(f"{local}: labels in {sorted(languages)}")
        if ontology.value(term, SKOS.definition) is None:
            missing.append(f"{local}: no skos:definition")
    assert missing == []


@pytest.mark.parametrize(
    ("term", "superclass"),
    [
        (PACCTO.Programme, "http://www.w3.org/ns/org#OrganizationalCollaboration"),
        (PACCTO.Institution, "http://www.w3.org/ns/org#FormalOrganization"),
        (PACCTO.SourceDocument, "http://www.w3.org/ns/prov#Entity"),
        (PACCTO.CrimeArea, "http://www.w3.org/2004/02/skos/core#Concept"),
    ],
)
def test_classes_reuse_w3c_vocabularies(
    ontology: rdflib.Graph, term: rdflib.URIRef, superclass: str
) -> None:
    assert rdflib.URIRef(superclass) in set(ontology.objects(term, RDFS.subClassOf))
