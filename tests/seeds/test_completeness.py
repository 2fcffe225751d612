"""A researcher must not find an actor in the documents that is missing from the graph.

Acronyms and names are the way a reader meets actors in the sources; every one of them must be a
label, alias or search label of some entity, so that the resolver and the search find it.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from rdflib import RDFS, SKOS

from paccto.graph.model.knowledge_graph import KnowledgeGraph

#: Tokens that look like acronyms but name no actor: a social-media handle and a plural.
NOT_ACTORS = {"ELPAcCTO", "SDGs"}

#: Named actors a reader meets in the sources, by the name they read there.
NAMED_IN_SOURCES = [
    "AIAMP", "AMERIPOL", "CELAC", "CibEL@", "CLASI", "COSI", "EMPACT", "EUROCLIMA", "EUROJUST",
    "EUROPOL", "EUROSOCIAL", "Expertise France", "FIIAPP", "IILA", "Instituto Camões", "Jaguar",
    "ELIPSIA", "UELLA", "LYNX", "ARCO", "Mercosur", "JHA Council", "Foreign Affairs Council",
    "Team Europe", "Development Cooperation Instrument", "Covid Channel", "Paso Canoas",
    "Prison Academies Network", "Aníbal Fernández", "María Laura Garrigós", "Pablo Tettamanti",
    "Jorge de la Caballería", "Josep Borrell", "Jutta Urpilainen", "Pilar Cancela",
    "Xavier Cousquer", "Buenos Aires", "Brussels", "French Presidency", "Portuguese Presidency",
    "Spanish Presidency", "European Justice and Security Initiative",
    "EU-LAC Partnership on Justice and Security", "Policy Cycle on Security",
    "Political Cycle of Shared Justice", "Specialist Multidisciplinary Teams",
    "Interinstitutional Technical Committees", "joint investigation teams",
    "Mercosur Women's Protection Order", "Focal Points", "EU-CELAC Summit",
]  # fmt: skip


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@pytest.fixture(scope="module")
def names(kg: KnowledgeGraph) -> set[str]:
    predicates = (RDFS.label, SKOS.altLabel, SKOS.hiddenLabel, SKOS.prefLabel)
    return {
        _normalise(str(o)).replace("\u2019", "'")
        for p in predicates
        for o in kg.dataset.objects(None, p)
    }


@pytest.mark.parametrize("name", NAMED_IN_SOURCES)
def test_named_actor_is_in_the_graph(names: set[str], name: str) -> None:
    wanted = _normalise(name)
    assert any(wanted == label or wanted in label for label in names), name


def test_every_acronym_in_the_sources_names_an_entity(
    names: set[str], source_documents: Path
) -> None:
    acronym = re.compile(r"\b[A-Z][A-Za-z@]*[A-Z@][A-Za-z@]*\b")
    found = {
        match.group()
        for path in source_documents.glob("*.txt")
        for match in acronym.finditer(path.read_text(encoding="utf-8"))
    }
    missing = sorted(
        token
        for token in found - NOT_ACTORS
        if not any(_normalise(token) in label for label in names)
    )
    assert missing == []
